import * as z from 'zod';
import { allocateBudget } from '../../../../core/finance/budget.js';
import { defineTool } from '../../../tool.js';
import { decisionId, usdAmount } from '../../decision-schemas.js';
import { actingRole, department, period } from './shared.js';

export const allocateBudgetTool = defineTool({
  name: 'allocate_budget',
  title: 'Allocate budget to a department',
  description:
    "Use to commit part of a department's budget for a period (default the current quarter) to a purpose; each allocation " +
    'gets a tracking_id and is added to the running total. The department needs a ceiling for the period first (set_budget). ' +
    'Never over-allocates: an allocation that does not fit the remaining budget is refused with what remains, and nothing ' +
    'changes (concurrent allocations are atomic against the ceiling). Authority: a single allocation above your limit ' +
    '(1,000,000 USD by default) is not allocated but escalated to the board (status "escalated", allocated false, with ' +
    'decision_id and escalation_id); once approved, call again with the same arguments plus decision_id to allocate it.',
  input: z.object({
    amount: usdAmount.refine((n) => n > 0, 'must be greater than zero').describe('USD to allocate (at most two decimals).'),
    department,
    justification: z.string().trim().min(1).max(2000).describe('What the money is for.'),
    period: period.optional(),
    decision_id: decisionId.optional().describe('Only to execute an allocation above your authority that the board has approved.'),
  }),
  output: z.object({
    allocated: z.boolean(),
    status: z.enum(['allocated', 'escalated']),
    tracking_id: z.string(),
    department: z.string(),
    period: z.string(),
    amount: z.number(),
    ceiling: z.number(),
    allocated_total: z.number(),
    remaining: z.number(),
    decision_id: z.string().nullable(),
    escalation_id: z.string().nullable(),
    rationale: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['ceo'],
  run: async (input, { deps, actor, correlationId }) =>
    allocateBudget(deps, { correlationId }, {
      tenantId: actor.tenantId,
      allocator: actingRole(actor),
      department: input.department,
      amount: input.amount,
      justification: input.justification,
      ...(input.period ? { period: input.period } : {}),
      ...(input.decision_id ? { decisionId: input.decision_id } : {}),
    }),
});
