import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { ruleOnDecision } from '../../core/decisions/decisions.js';
import { defineTool } from '../tool.js';
import { decision, decisionId } from './decision-schemas.js';

export const ruleOnDecisionTool = defineTool({
  name: 'rule_on_decision',
  title: 'Rule on a decision awaiting you',
  description:
    'Approves or rejects a decision that awaits your ruling (hierarchical decisions from your reports, escalations, and on ' +
    '/mcp/board everything escalated to the board). Approving an amount above your own authority does not approve it: it ' +
    'escalates further up the chain. Give a rationale: it becomes the outcome.',
  input: z.object({ decision_id: decisionId, ruling: z.enum(['approve', 'reject']), rationale: z.string().trim().min(1).max(5000) }),
  output: decision,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) =>
    ruleOnDecision(deps, { correlationId }, {
      tenantId: actor.tenantId,
      ruler: actor.actingAs,
      decisionId: input.decision_id,
      ruling: input.ruling,
      rationale: input.rationale,
    }),
});
