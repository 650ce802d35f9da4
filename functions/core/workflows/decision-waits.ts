import type { Deps, RequestContext } from '../context.js';
import { getDecision } from '../decisions/decisions.js';
import { CLOSED, type Decision } from '../decisions/model.js';
import { NotFoundError } from '../errors.js';
import { keys } from '../keys.js';
import { resolveRequests } from '../messages/requests.js';
import { updateRecord } from '../versioned.js';
import { decisionWaiterCodec, taskCodec, type WaitRecord } from './records.js';
import { closeTask } from './task-record.js';
import { loadWait, resolveWait, waitKeyOf, type Delivery, type WaitKey } from './wait-record.js';

/** Waits on a decision: when each is satisfied, and settling them as the decision changes. */

function satisfied(wait: WaitRecord, decision: Decision): boolean {
  switch (wait.decision_rule) {
    case 'vote':
      return decision.status !== 'pending';
    case 'ruling':
      return CLOSED.includes(decision.status) || decision.awaiting !== wait.awaiting;
    default:
      return CLOSED.includes(decision.status);
  }
}

/** Marks vote tasks completed for participants who voted some other way (the `vote` tool). */
async function syncVoteTasks(deps: Deps, tenantId: string, wait: WaitRecord, decision: Decision): Promise<void> {
  if (wait.decision_rule !== 'vote') return;
  for (const ref of wait.tasks) {
    const vote = decision.votes.find((v) => v.voter === ref.assignee);
    if (!vote) continue;
    const updated = await updateRecord(deps.store, keys.task(tenantId, ref.assignee, ref.task_id), taskCodec, (task) =>
      task.status !== 'open'
        ? undefined
        : {
            ...task,
            status: 'completed' as const,
            outcome: vote.vote === 'abstain' ? null : vote.vote,
            result: { vote: vote.vote, confidence: vote.confidence, rationale: vote.rationale },
            completed_at: vote.cast_at,
            completed_by: ref.assignee,
            updated_at: vote.cast_at,
          },
    );
    if (updated?.changed) await resolveRequests(deps, tenantId, `task:${ref.task_id}`);
  }
}

/**
 * Resolves the waits that wait on a decision, for those whose condition now
 * holds (voting closed, the awaited role ruled or the decision moved past it,
 * the decision closed), re-reading the decision so the order in which events
 * arrive does not matter. Their tasks still open are closed; vote tasks of
 * participants who voted another way are marked completed. `only` limits it
 * to one run's wait. Returns what it resolved.
 */
export async function settleDecisionWaiters(
  deps: Deps,
  _ctx: RequestContext,
  tenantId: string,
  decisionId: string,
  only?: { runId: string; waitId: string },
): Promise<{ waitKey: WaitKey; delivery: Delivery | 'already' }[]> {
  let decision: Decision;
  try {
    decision = await getDecision(deps, tenantId, decisionId);
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  const page = await deps.store.query({ pk: keys.decision(tenantId, decisionId), skPrefix: keys.decisionWaiterPrefix, limit: 100 });
  const resolved: { waitKey: WaitKey; delivery: Delivery | 'already' }[] = [];
  for (const item of page.items) {
    const waiter = decisionWaiterCodec(tenantId, decisionId).decode(item);
    if (only && (waiter.run_id !== only.runId || waiter.wait_id !== only.waitId)) continue;
    const waitKey = waitKeyOf(tenantId, waiter.run_id, waiter.wait_id);
    const wait = await loadWait(deps, waitKey);
    if (!wait || wait.status !== 'waiting') {
      await deps.store.delete({ pk: item.pk, sk: item.sk });
      continue;
    }
    await syncVoteTasks(deps, tenantId, wait, decision);
    if (!satisfied(wait, decision)) continue;
    for (const task of wait.tasks) await closeTask(deps, tenantId, task.assignee, task.task_id, 'cancelled');
    const delivery = await resolveWait(deps, waitKey, {
      output: { decision_id: decisionId, status: decision.status, outcome: decision.outcome, awaiting: decision.awaiting, resolved_by: 'decision' },
    });
    await deps.store.delete({ pk: item.pk, sk: item.sk });
    resolved.push({ waitKey, delivery });
  }
  return resolved;
}
