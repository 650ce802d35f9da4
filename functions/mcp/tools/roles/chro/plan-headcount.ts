import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { planHeadcount } from '../../../../core/people/headcount.js';
import { defineTool } from '../../../tool.js';
import { usdAmount } from '../../decision-schemas.js';
import { actingRole, department, period } from '../ceo/shared.js';

export const planHeadcountTool = defineTool({
  name: 'plan_headcount',
  title: 'Plan a department’s headcount',
  description:
    "Use before approving hires: checks a hiring plan against the department's budget for the period (the ceiling and " +
    'allocations the CEO made with set_budget/allocate_budget). planned_cost = planned_hires × budget_per_hire; remaining = ' +
    'ceiling − allocated; shortfall = max(0, planned_cost − remaining); affordable_hires = floor(remaining / budget_per_hire). ' +
    'Flags: no_budget, shortfall, above_authority (planned_cost above your authority, 300,000 USD by default: the hires ' +
    'will escalate), rapid_growth (planned_hires > 50 % of current_headcount). Read-only.',
  input: z.object({
    department,
    current_headcount: z.number().int().min(0).max(1_000_000),
    planned_hires: z.number().int().min(1).max(100_000),
    budget_per_hire: usdAmount.refine((n) => n > 0, 'must be greater than zero').describe('USD charged to this period per hire.'),
    period: period.optional(),
  }),
  output: z.object({
    department: z.string(),
    period: z.string(),
    current_headcount: z.number().int(),
    planned_hires: z.number().int(),
    resulting_headcount: z.number().int(),
    growth_rate: z.number().nullable(),
    planned_cost: z.number(),
    budget: z.object({ ceiling: z.number(), allocated_total: z.number(), remaining: z.number() }).nullable(),
    shortfall: z.number(),
    affordable_hires: z.number().int(),
    funded: z.boolean(),
    within_authority: z.boolean(),
    authority_limit: z.number(),
    escalate_to: z.enum(ENDPOINTS).nullable(),
    flags: z.array(z.enum(['no_budget', 'shortfall', 'above_authority', 'rapid_growth'])),
    recommendations: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['chro'],
  run: async (input, { deps, actor }) =>
    planHeadcount(deps, {
      tenantId: actor.tenantId,
      planner: actingRole(actor),
      department: input.department,
      currentHeadcount: input.current_headcount,
      plannedHires: input.planned_hires,
      budgetPerHire: input.budget_per_hire,
      ...(input.period ? { period: input.period } : {}),
    }),
});
