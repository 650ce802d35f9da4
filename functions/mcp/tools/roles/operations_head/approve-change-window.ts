import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { approveChangeWindow } from '../../../../core/operations/change-windows.js';
import { defineTool } from '../../../tool.js';
import { usdAmount } from '../../decision-schemas.js';
import { serviceNames } from './schemas.js';

export const approveChangeWindowTool = defineTool({
  name: 'approve_change_window',
  title: 'Approve a change window',
  description:
    'Decides a maintenance/change window for services and records it. Rejected (a result with reasons, not an error) when it ' +
    'lasts longer than the maximum for its risk (low 8 h, medium 4 h, high 2 h) or overlaps an open severity-1 or -2 incident ' +
    '(an open incident covers every window ending after its declaration). Otherwise approved — unless amount (the change\'s ' +
    'cost in USD) exceeds your authority (250,000 USD by default): then it is escalated up the reports-to chain as a decision ' +
    '(status "escalated" with escalation_id and who it awaits), never refused and never approved above authority. Exactly your ' +
    'limit is within authority. The window must end in the future.',
  input: z.object({
    start: z.iso.datetime({ offset: true }).max(64).describe('ISO 8601 start.'),
    end: z.iso.datetime({ offset: true }).max(64).describe('ISO 8601 end, after start.'),
    services: serviceNames.describe('The services changed, each distinct.'),
    risk: z.enum(['low', 'medium', 'high']),
    amount: usdAmount.optional().describe('The change\'s cost in USD, checked against your authority.'),
  }),
  output: z.object({
    window_id: z.string(),
    approved: z.boolean(),
    status: z.enum(['approved', 'rejected', 'escalated']),
    start: z.string(),
    end: z.string(),
    services: z.array(z.string()),
    risk: z.enum(['low', 'medium', 'high']),
    duration_hours: z.number(),
    max_duration_hours: z.number(),
    reasons: z.array(z.string()),
    decision_id: z.string().nullable(),
    escalation_id: z.string().nullable(),
    awaiting: z.enum(ENDPOINTS).nullable(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['operations_head'],
  run: async (input, { deps, actor, correlationId }) =>
    approveChangeWindow(deps, { correlationId }, {
      tenantId: actor.tenantId,
      requestedBy: 'operations_head',
      start: input.start,
      end: input.end,
      services: input.services,
      risk: input.risk,
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
    }),
});
