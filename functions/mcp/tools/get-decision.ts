import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { getDecision, settleIfDue } from '../../core/decisions/decisions.js';
import { CARD_URI } from '../../web/card/card.js';
import { defineTool } from '../tool.js';
import { decision, decisionId } from './decision-schemas.js';

export const getDecisionTool = defineTool({
  name: 'get_decision',
  title: 'Get a decision',
  description: 'Returns a decision with its votes, escalations, status, consensus score and outcome. A decision past its deadline is settled first.',
  input: z.object({ decision_id: decisionId }),
  output: decision,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  ui: CARD_URI,
  run: async (input, { deps, actor, correlationId }) => {
    await settleIfDue(deps, { correlationId }, actor.tenantId, input.decision_id);
    return getDecision(deps, actor.tenantId, input.decision_id);
  },
});
