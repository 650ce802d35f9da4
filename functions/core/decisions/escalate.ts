import { BOARD, type RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError } from '../errors.js';
import { sendMessage, type Priority } from '../messages/messages.js';
import { resolveRequests } from '../messages/requests.js';
import { rulingTaskId } from '../workflows/decision-runs.js';
import { getDecision, transition } from './decision-record.js';
import { settleIfDue } from './decisions.js';
import { CLOSED, type Decision } from './model.js';

/** How urgently the board should look at an escalation; it becomes the board message's priority. */
export const URGENCY_PRIORITY = { low: 'low', normal: 'normal', high: 'high', critical: 'urgent' } as const satisfies Record<string, Priority>;
export type Urgency = keyof typeof URGENCY_PRIORITY;

export interface EscalateInput {
  readonly tenantId: string;
  /** Who escalates (recorded as the escalation's `from`). */
  readonly by: RoleId;
  readonly decisionId: string;
  readonly urgency: Urgency;
  readonly reason?: string;
}

export interface EscalateResult {
  readonly decision: Decision;
  readonly escalation_id: string;
  /** The escalation message put in the board's inbox: the board's one message about it (its ruling task sends none). */
  readonly message_id: string;
}

/**
 * Moves an open decision (pending or escalated to someone below the board)
 * to the board: status `escalated`, awaiting `board`, an escalation record,
 * Decision.Escalated.v1, and an escalation message in the board's inbox with
 * the urgency as priority. That message is the board's one message about it:
 * it is a request (`decision:<id>`, actionable until the decision closes)
 * naming the ruling task the escalation run opens, which sends no "New task"
 * message of its own (decision-runs.ts openRulingTask). Voting on a collaborative decision stops: the board
 * rules instead. Closed decisions (approved, rejected, expired — including one
 * whose deadline has just passed) and decisions already awaiting the board are
 * conflicts. Concurrent changes are detected with the decision's version, as
 * every other transition is, so a decision is escalated at most once.
 */
export async function escalateToBoard(deps: Deps, ctx: RequestContext, input: EscalateInput): Promise<EscalateResult> {
  await settleIfDue(deps, ctx, input.tenantId, input.decisionId);
  const reason = `escalated to the board by ${input.by} (urgency ${input.urgency})${input.reason ? `: ${input.reason}` : ''}`;
  const moved = await transition(deps, ctx, input.tenantId, input.decisionId, (current) => {
    if (CLOSED.includes(current.status)) throw new ConflictError(`decision ${input.decisionId} is already ${current.status}; only an open decision can be escalated`);
    if (current.awaiting === BOARD) throw new ConflictError(`decision ${input.decisionId} already awaits the board`);
    return { status: 'escalated', awaiting: BOARD, outcome: current.outcome, escalation: { from: input.by, to: BOARD, reason, urgency: input.urgency } };
  });
  if (!moved?.escalationId) throw new ConflictError(`decision ${input.decisionId} is changing concurrently; try again`);
  const escalationId = moved.escalationId;
  const decision = await getDecision(deps, input.tenantId, input.decisionId);
  const amount = decision.amount === null ? '' : `\nAmount: ${decision.amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} USD`;
  const sent = await sendMessage(deps, ctx, {
    tenantId: input.tenantId,
    from: input.by,
    to: BOARD,
    type: 'escalation',
    priority: URGENCY_PRIORITY[input.urgency],
    subject: `Escalation (${input.urgency}): ${decision.decision_type} decision ${decision.decision_id}`.slice(0, 200),
    content:
      `${reason}\n\nDecision ${decision.decision_id} (${decision.mode}, proposed by ${decision.initiator}):\n${decision.context}${amount}\n\n` +
      `Rule with: rule_on_decision { decision_id: "${decision.decision_id}", ruling: approve | reject, rationale }` +
      ` — or complete your ruling task: complete_task { task_id: "${rulingTaskId(escalationId, BOARD)}", outcome: approve | reject, result: { rationale } }`,
    threadId: decision.decision_id,
    request: `decision:${decision.decision_id}`,
  });
  // Ruled before the request reached the inbox: settle it now (the decision's close settles it otherwise).
  if (CLOSED.includes((await getDecision(deps, input.tenantId, input.decisionId)).status)) await resolveRequests(deps, input.tenantId, `decision:${input.decisionId}`);
  return { decision, escalation_id: escalationId, message_id: sent.message_id };
}
