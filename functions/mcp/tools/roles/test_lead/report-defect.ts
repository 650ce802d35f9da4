import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { reportDefect } from '../../../../core/quality/defects.js';
import { defineTool } from '../../../tool.js';
import { releaseName } from './schemas.js';

const severity = z.enum(['critical', 'major', 'minor', 'trivial']);

export const reportDefectTool = defineTool({
  name: 'report_defect',
  title: 'Report a defect',
  description:
    'Records a defect found in a release and asks the senior developer to fix it; a P1 also notifies the CTO. Priority is ' +
    'computed from severity and reach: critical → P1; major → P1 if affected_users_pct ≥ 25 else P2; minor → P2 if ' +
    'affected_users_pct ≥ 50 else P3; trivial → P4 (unknown reach counts as 0%). Count open critical and major defects in ' +
    'run_quality_gate results. No spending: no authority limit applies.',
  input: z.object({
    release: releaseName,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(5000).describe('What happens, how to reproduce it, what was expected.'),
    severity,
    component: z.string().trim().min(1).max(100).optional(),
    affected_users_pct: z.number().min(0).max(100).optional(),
  }),
  output: z.object({
    defect_id: z.string(),
    release: z.string(),
    title: z.string(),
    severity,
    priority: z.enum(['P1', 'P2', 'P3', 'P4']),
    status: z.literal('open'),
    component: z.string().nullable(),
    affected_users_pct: z.number().nullable(),
    reported_at: z.string(),
    notified: z.array(z.enum(ENDPOINTS)),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['test_lead'],
  run: async (input, { deps, actor, correlationId }) =>
    reportDefect(deps, { correlationId }, {
      tenantId: actor.tenantId,
      reportedBy: 'test_lead',
      release: input.release,
      title: input.title,
      description: input.description,
      severity: input.severity,
      ...(input.component ? { component: input.component } : {}),
      ...(input.affected_users_pct !== undefined ? { affectedUsersPct: input.affected_users_pct } : {}),
    }),
});
