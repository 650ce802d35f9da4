import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
import { approveStrategicInitiative } from '../../../../core/finance/initiatives.js';
import { defineTool } from '../../../tool.js';
import { usdAmount } from '../../decision-schemas.js';
import { actingRole } from './shared.js';

export const approveStrategicInitiativeTool = defineTool({
  name: 'approve_strategic_initiative',
  title: 'Approve a strategic initiative',
  description:
    'Use when you (the CEO) decide whether the organization commits to a strategic initiative with a budget. Authority: a ' +
    'budget up to your limit (1,000,000 USD by default; the tenant may override it), exactly the limit included, is approved ' +
    'at once and recorded as an autonomous strategic_initiative decision; anything above — even one cent — is NOT approved ' +
    'but escalated to the board (status "escalated", approved false, with escalation_id); the board rules on it with ' +
    'rule_on_decision or its ruling task, and Conclave then records the initiative (initiative_id) as approved or rejected, ' +
    'once, and tells you the outcome in one message. Judge the initiative yourself first: this tool records and enforces the decision, it does not assess value.',
  input: z.object({
    initiative: z.string().trim().min(1).max(2000).describe('What the initiative is.'),
    business_value: z.string().trim().min(1).max(5000).describe('Why it is worth doing: the expected value for the business.'),
    budget: usdAmount.describe('Total budget committed, in USD (at most two decimals).'),
  }),
  output: z.object({
    approved: z.boolean(),
    initiative_id: z.string().describe('The recorded initiative; its status follows its decision.'),
    decision_id: z.string(),
    rationale: z.string(),
    status: z.enum(['approved', 'escalated']),
    budget: z.number(),
    authority_limit: z.number(),
    escalation_id: z.string().nullable(),
    awaiting: z.enum(ENDPOINTS).nullable(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['ceo'],
  run: async (input, { deps, actor, correlationId }) =>
    approveStrategicInitiative(deps, { correlationId }, {
      tenantId: actor.tenantId,
      approver: actingRole(actor),
      initiative: input.initiative,
      businessValue: input.business_value,
      budget: input.budget,
    }),
});
