import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';

/** Schemas of the audit trail's tool and resource. */
export const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({
    type: z.enum(['principal', 'system']),
    key_id: z.string().nullable().describe("The principal's public key id (never the key)."),
    role: z.enum(ENDPOINTS).nullable().describe('The endpoint the principal acted as, or the role a system change concerns.'),
    component: z.string().nullable().describe('The system component that acted, e.g. workflow:feature_development or consumer:inbox-fanout.'),
    run_id: z.string().nullable(),
    decision_id: z.string().nullable(),
  }),
  key_id: z.string().nullable(),
  role: z.enum(ENDPOINTS).nullable(),
  action: z.string(),
  object_id: z.string().nullable(),
  outcome: z.enum(['ok', 'error']),
  error_code: z.string().nullable(),
  duration_ms: z.number().nullable(),
  correlation_id: z.string(),
});

export const auditPage = z.object({
  entries: z.array(auditEntry),
  next_cursor: z.string().nullable(),
  from: z.string(),
  to: z.string(),
});

const day = z.string().min(5).max(10).regex(/^(\d{4}-\d{2}-\d{2}|today)$/, 'a UTC day as YYYY-MM-DD, or today');

/** The filters both the tool and the resource template accept. */
export const auditFilters = {
  from: day.optional().describe('First UTC day, inclusive (default: the same day as to).'),
  to: day.optional().describe('Last UTC day, inclusive (default: today).'),
  role: z.enum(ENDPOINTS).optional(),
  principal: z.string().min(1).max(128).optional().describe('A key id, or "system" for changes the system made.'),
  action: z.string().min(1).max(128).optional().describe('An action (tool:store_memory), a tool name (store_memory), or a prefix ending in * (step:*).'),
  outcome: z.enum(['ok', 'error']).optional(),
  object_id: z.string().min(1).max(300).optional().describe('A decision, run, memory key, role or other object id.'),
  limit: z.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(1000).optional().describe('next_cursor of the previous page (same filters).'),
};
