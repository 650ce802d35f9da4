import * as z from 'zod';
import { AGENT_ROLES } from '../../../../contracts/roles.js';
import { RELEASE_PATTERN } from '../../../../core/quality/release.js';

/** Schemas shared by the quality tools (and by the CTO's approve_deployment). */
export const releaseName = z
  .string()
  .trim()
  .max(64)
  .regex(RELEASE_PATTERN, 'a release name is 1–64 letters, digits, ".", "_", "-" or "+", starting with a letter or digit')
  .describe('The release, e.g. "v2.4.0".');

export const gateCheck = z.object({
  name: z.enum(['pass_rate', 'coverage', 'critical_defects', 'major_defects', 'performance']),
  passed: z.boolean(),
  detail: z.string(),
});

export const qualityGate = z.object({
  gate_id: z.string(),
  release: z.string(),
  passed: z.boolean(),
  checks: z.array(gateCheck),
  failed_checks: z.array(z.string()),
  run_by: z.enum(AGENT_ROLES),
  created_at: z.string(),
});

export const cursor = z.string().min(1).max(2000).optional().describe('next_cursor of the previous page.');
