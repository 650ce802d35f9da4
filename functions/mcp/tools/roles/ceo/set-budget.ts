import * as z from 'zod';
import { setBudget } from '../../../../core/finance/budget.js';
import { defineTool } from '../../../tool.js';
import { decisionId, usdAmount } from '../../decision-schemas.js';
import { actingRole, budgetView, department, period } from './shared.js';

export const setBudgetTool = defineTool({
  name: 'set_budget',
  title: 'Set a department budget ceiling',
  description:
    "Use to create or change a department's budget ceiling for a period (a quarter like 2026-Q4, default the current " +
    'quarter, or a year): allocate_budget can never allocate beyond it. Authority: a ceiling up to your limit (1,000,000 USD ' +
    'by default) is set at once; a higher ceiling is not set but escalated to the board (status "escalated", with ' +
    'decision_id and escalation_id) — once the board approves that decision, call set_budget again with the same ' +
    'department, period and ceiling plus decision_id to apply it. A ceiling below what is already allocated is refused.',
  input: z.object({
    department,
    period: period.optional(),
    ceiling: usdAmount.describe('The most that may be allocated to the department in the period, in USD.'),
    decision_id: decisionId.optional().describe('Only to apply a ceiling above your authority that the board has approved.'),
  }),
  output: z.object({
    status: z.enum(['set', 'escalated']),
    department: z.string(),
    period: z.string(),
    requested_ceiling: z.number(),
    budget: budgetView.nullable(),
    decision_id: z.string().nullable(),
    escalation_id: z.string().nullable(),
    rationale: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['ceo'],
  run: async (input, { deps, actor, correlationId }) =>
    setBudget(deps, { correlationId }, {
      tenantId: actor.tenantId,
      setter: actingRole(actor),
      department: input.department,
      ceiling: input.ceiling,
      ...(input.period ? { period: input.period } : {}),
      ...(input.decision_id ? { decisionId: input.decision_id } : {}),
    }),
});
