import * as z from 'zod';
import { listAuditLog } from '../../core/audit/audit-log.js';
import { defineTool } from '../tool.js';
import { auditFilters, auditPage } from './audit-schemas.js';

export const auditLogTool = defineTool({
  name: 'audit_log',
  title: 'Read the audit trail',
  description:
    "Your organization's audit trail, newest first: every tool call and every change the system made (workflow steps, consumers, " +
    'deadlines, timeouts, reminders, approvals taking effect), with who acted (a key id and role, or the system component with its ' +
    'run or decision id) and the correlation id. Never arguments or secrets. Filter by days (from/to, UTC), role, principal, ' +
    'action or tool, outcome and object id; pass next_cursor back as cursor for older entries.',
  input: z.object(auditFilters),
  output: auditPage,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['ceo', 'board'],
  run: async (input, { deps, actor }) =>
    listAuditLog(deps, actor.tenantId, {
      limit: input.limit,
      ...(input.from ? { from: input.from } : {}),
      ...(input.to ? { to: input.to } : {}),
      ...(input.role ? { role: input.role } : {}),
      ...(input.principal ? { principal: input.principal } : {}),
      ...(input.action ? { action: input.action } : {}),
      ...(input.outcome ? { outcome: input.outcome } : {}),
      ...(input.object_id ? { objectId: input.object_id } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
