import * as z from 'zod';
import { AGENT_ROLES, ENDPOINTS, isRoleId } from '../../contracts/roles.js';
import { proposeDecision } from '../../core/decisions/decisions.js';
import { ValidationError } from '../../core/errors.js';
import { defineTool } from '../tool.js';
import { decision, decisionMode, usdAmount } from './decision-schemas.js';

export const proposeDecisionTool = defineTool({
  name: 'propose_decision',
  title: 'Propose a decision',
  description:
    'Proposes a decision in one of four modes. autonomous: you decide alone; approved at once if amount is within your ' +
    'authority, otherwise escalated up your reports-to chain to the first superior whose authority covers it (ending at the ' +
    'board) — never refused, never approved above authority. collaborative: each participant is asked to vote ' +
    '(approve/reject/abstain with a confidence); it closes when all have voted or at the deadline, approved when the ' +
    'confidence-weighted share of approvals reaches threshold (default 0.6) with quorum (default half the participants) met; ' +
    'ties and missed quorum escalate. hierarchical: your superior rules. human: the board rules. Returns the decision with ' +
    'its status, and escalations with their escalation_id.',
  input: z.object({
    decision_type: z.string().trim().min(1).max(100).describe('A short kind, e.g. "budget", "hire", "technology_adoption".'),
    mode: decisionMode,
    context: z.string().trim().min(1).max(10_000).describe('What is being decided and why.'),
    participants: z.array(z.enum(ENDPOINTS)).min(1).max(10).optional().describe('Collaborative only: who votes.'),
    deadline: z.iso.datetime({ offset: true }).max(64).optional().describe('ISO 8601; when voting closes or the ruling expires.'),
    threshold: z.number().min(0).max(1).optional(),
    quorum: z.number().gt(0).max(1).optional().describe('Share of participants that must vote (default 0.5).'),
    amount: usdAmount.optional().describe('The commitment in USD, checked against authority.'),
  }),
  output: decision,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: AGENT_ROLES,
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role proposes decisions');
    return proposeDecision(deps, { correlationId }, {
      tenantId: actor.tenantId,
      initiator: actor.actingAs,
      decisionType: input.decision_type,
      mode: input.mode,
      context: input.context,
      ...(input.participants ? { participants: input.participants } : {}),
      ...(input.deadline ? { deadline: input.deadline } : {}),
      ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
      ...(input.quorum !== undefined ? { quorum: input.quorum } : {}),
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
    });
  },
});
