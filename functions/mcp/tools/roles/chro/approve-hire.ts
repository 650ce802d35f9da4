import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { approveHire } from '../../../../core/people/hires.js';
import { defineTool } from '../../../tool.js';
import { decisionStatus, usdAmount } from '../../decision-schemas.js';
import { actingRole, department } from '../ceo/shared.js';

export const hire = z.object({
  hire_id: z.string(),
  role_title: z.string(),
  department: z.string(),
  annual_cost: z.number(),
  justification: z.string(),
  requested_by: z.string(),
  decision_id: z.string(),
  status: decisionStatus,
  awaiting: z.enum(ENDPOINTS).nullable(),
  requested_at: z.string(),
});

export const approveHireTool = defineTool({
  name: 'approve_hire',
  title: 'Approve a hire',
  description:
    'Use when a department asks to hire someone and you (the CHRO) decide. Records the hire with a hire decision for its ' +
    'fully loaded annual cost. Authority: up to your limit (300,000 USD a year by default; the tenant may override it), ' +
    'exactly the limit included, the hire is approved at once; above it the hire is NOT approved but escalated to the first ' +
    'superior whose authority covers it (the CEO, or the board above the CEO limit), with escalation_id; list_hires shows ' +
    'its status once they rule. Check the department budget with plan_headcount first.',
  input: z.object({
    role_title: z.string().trim().min(1).max(200).describe('The position, e.g. "Senior Backend Engineer".'),
    department,
    annual_cost: usdAmount.refine((n) => n > 0, 'must be greater than zero').describe('Fully loaded annual cost in USD.'),
    justification: z.string().trim().min(1).max(5000).describe('Why the hire is needed now.'),
  }),
  output: hire.extend({ approved: z.boolean(), rationale: z.string(), escalation_id: z.string().nullable() }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['chro'],
  run: async (input, { deps, actor, correlationId }) =>
    approveHire(deps, { correlationId }, {
      tenantId: actor.tenantId,
      approver: actingRole(actor),
      roleTitle: input.role_title,
      department: input.department,
      annualCost: input.annual_cost,
      justification: input.justification,
    }),
});
