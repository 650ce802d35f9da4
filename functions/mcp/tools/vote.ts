import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { castVote } from '../../core/decisions/decisions.js';
import { defineTool } from '../tool.js';
import { decision, decisionId } from './decision-schemas.js';

export const voteTool = defineTool({
  name: 'vote',
  title: 'Vote on a decision',
  description:
    'Casts your vote on a collaborative decision you participate in: approve, reject or abstain, with your confidence in ' +
    '[0,1] and a rationale. One vote per participant: a second vote is refused, not counted. The last vote (or the deadline) ' +
    'closes the decision; the result is returned.',
  input: z.object({
    decision_id: decisionId,
    vote: z.enum(['approve', 'reject', 'abstain']),
    confidence: z.number().min(0).max(1),
    rationale: z.string().trim().max(5000).optional(),
  }),
  output: decision,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) =>
    castVote(deps, { correlationId }, {
      tenantId: actor.tenantId,
      voter: actor.actingAs,
      decisionId: input.decision_id,
      vote: input.vote,
      confidence: input.confidence,
      ...(input.rationale ? { rationale: input.rationale } : {}),
    }),
});
