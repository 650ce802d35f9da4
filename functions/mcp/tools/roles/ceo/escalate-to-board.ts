import * as z from 'zod';
import { escalateToBoard } from '../../../../core/decisions/escalate.js';
import { defineTool } from '../../../tool.js';
import { decisionId, decisionStatus } from '../../decision-schemas.js';
import { actingRole } from './shared.js';

export const escalateToBoardTool = defineTool({
  name: 'escalate_to_board',
  title: 'Escalate a decision to the board',
  description:
    'Use when an open decision (pending, or escalated to someone below the board — e.g. to you) should be ruled by the human ' +
    'board instead: it is moved to the board (status "escalated", awaiting board; collaborative voting stops) and an ' +
    'escalation message goes to the board inbox with the urgency as its priority (critical → urgent): the board\'s one ' +
    'message about it, naming its ruling task. The board rules with rule_on_decision or by completing that task; human ' +
    'approval is always required. Closed decisions (approved, rejected, expired) and decisions ' +
    'already awaiting the board cannot be escalated.',
  input: z.object({
    decision_id: decisionId,
    urgency: z.enum(['low', 'normal', 'high', 'critical']),
    reason: z.string().trim().min(1).max(2000).optional().describe('Why the board must decide; shown to the board.'),
  }),
  output: z.object({
    escalation_id: z.string(),
    human_approval_required: z.literal(true),
    decision_id: z.string(),
    status: decisionStatus,
    urgency: z.enum(['low', 'normal', 'high', 'critical']),
    message_id: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['ceo'],
  run: async (input, { deps, actor, correlationId }) => {
    const result = await escalateToBoard(deps, { correlationId }, {
      tenantId: actor.tenantId,
      by: actingRole(actor),
      decisionId: input.decision_id,
      urgency: input.urgency,
      ...(input.reason ? { reason: input.reason } : {}),
    });
    return {
      escalation_id: result.escalation_id,
      human_approval_required: true as const,
      decision_id: result.decision.decision_id,
      status: result.decision.status,
      urgency: input.urgency,
      message_id: result.message_id,
    };
  },
});
