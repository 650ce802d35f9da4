import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';

/** Schemas shared by the operations tools. */
export const incidentId = z.string().trim().min(1).max(64);
export const serviceNames = z.array(z.string().trim().min(1).max(100)).min(1).max(50);

export const incident = z.object({
  incident_id: z.string(),
  title: z.string(),
  severity: z.number().int().min(1).max(4),
  status: z.enum(['open', 'resolved']),
  description: z.string(),
  affected_services: z.array(z.string()),
  declared_by: z.enum(ENDPOINTS),
  declared_at: z.string(),
  resolved_at: z.string().nullable(),
  resolved_by: z.enum(ENDPOINTS).nullable(),
  resolution: z.string().nullable(),
  duration_minutes: z.number().nullable(),
});
