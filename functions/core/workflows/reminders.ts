import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { deliver, notificationId } from '../messages/messages.js';
import { updateRecord } from '../versioned.js';
import { settleDecisionWaiters } from './decision-waits.js';
import type { RunRef } from './model.js';
import { taskCodec, waitCodec } from './records.js';
import { loadRun, recordHistory } from './run-record.js';
import { loadWait, waitKeyOf } from './wait-record.js';

/**
 * The `remind` step: the run's current wait got no answer for a heartbeat
 * interval. Reminds every assignee still open (an inbox message) and counts
 * the reminder; once the wait's reminders are used up it reports `expired`
 * and the machine takes its timeout path. Returns the state to re-enter.
 */
export async function remindWait(deps: Deps, ref: RunRef): Promise<{ state: string; expired: boolean; reminders: number }> {
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const waitId = run.current_wait_id;
  if (!waitId) return { state: run.current_state ?? '', expired: true, reminders: 0 };
  const key = waitKeyOf(ref.tenant_id, ref.run_id, waitId);
  let wait = await loadWait(deps, key);
  if (!wait) return { state: run.current_state ?? '', expired: true, reminders: 0 };
  if (wait.status === 'waiting' && wait.decision_id) {
    await settleDecisionWaiters(deps, { correlationId: ref.correlation_id }, ref.tenant_id, wait.decision_id, { runId: ref.run_id, waitId });
    wait = (await loadWait(deps, key)) ?? wait;
  }
  const state = wait.state;
  // Resolved meanwhile: re-entering the state delivers the resolution.
  if (wait.status !== 'waiting') return { state, expired: false, reminders: wait.reminders };
  if (wait.reminders + 1 > wait.max_reminders) return { state, expired: true, reminders: wait.reminders };
  const at = new Date(deps.clock.now()).toISOString();
  const counted = await updateRecord(deps.store, key, waitCodec, (w) => (w.status !== 'waiting' ? undefined : { ...w, reminders: w.reminders + 1, reminded_at: at }), {
    attempts: 6,
    what: `wait ${waitId}`,
  });
  if (!counted?.changed) return { state, expired: false, reminders: counted?.record.reminders ?? wait.reminders };
  wait = counted.record;
  const count = wait.reminders;
  const items = wait.tasks.length ? await deps.store.getMany(wait.tasks.map((t) => keys.task(ref.tenant_id, t.assignee, t.task_id))) : [];
  const open = items.map((i) => taskCodec.decode(i)).filter((t) => t.status === 'open');
  for (const task of open) {
    await updateRecord(deps.store, keys.task(ref.tenant_id, task.assignee, task.task_id), taskCodec, (t) => (t.status !== 'open' ? undefined : { ...t, reminders: count, updated_at: at }), {
      attempts: 3,
    }).catch(() => undefined);
    await deliver(deps, {
      tenantId: ref.tenant_id,
      messageId: notificationId(at, `task:${task.task_id}:reminder:${count}`, task.assignee),
      from: 'conclave',
      to: task.assignee,
      recipients: [task.assignee],
      type: 'request',
      priority: 'urgent',
      subject: `Reminder ${count} of ${wait.max_reminders}: ${task.title}`.slice(0, 200),
      content:
        `The ${ref.workflow} run ${ref.run_id} is still waiting on you (stage ${wait.stage}), due ${task.due_at ?? wait.due_at}. ` +
        `After ${wait.max_reminders} reminders the stage times out.\n\nFinish with: complete_task { task_id: "${task.task_id}", outcome, result }`,
      threadId: `run-${ref.run_id}`,
      replyTo: null,
      correlationId: ref.correlation_id,
      sentAt: at,
      request: `task:${task.task_id}`,
    });
  }
  await recordHistory(deps, ref, {
    event: 'reminder',
    stage: wait.stage,
    actor: null,
    detail: `reminder ${count} of ${wait.max_reminders} to ${open.map((t) => t.assignee).join(', ') || 'nobody (waiting on a decision)'}`,
  });
  return { state, expired: false, reminders: count };
}

/** Why a stage timed out, for the run's cause. */
export async function timeoutCause(deps: Deps, ref: RunRef): Promise<string> {
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const wait = run.current_wait_id ? await loadWait(deps, waitKeyOf(ref.tenant_id, ref.run_id, run.current_wait_id)) : undefined;
  if (!wait) return 'a stage timed out';
  const who = wait.tasks.map((t) => t.assignee).join(', ') || `decision ${wait.decision_id ?? ''}`;
  return `stage ${wait.stage} got no answer from ${who} after ${wait.reminders} reminder(s) (due ${wait.due_at})`;
}
