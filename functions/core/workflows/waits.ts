import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import { TASK_OUTCOMES, type TaskKind, type TaskStatus } from '../../contracts/workflows.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { deliver, notificationId } from '../messages/messages.js';
import { resolveRequests } from '../messages/requests.js';
import { updateRecord } from '../versioned.js';
import { settleDecisionWaiters } from './decision-waits.js';
import type { RunRef } from './model.js';
import { decisionWaiterCodec, taskCodec, waitCodec, type DecisionRule, type TaskEffect, type TaskRecord, type WaitMode, type WaitRecord } from './records.js';
import { envelope, loadRun, recordHistory, updateRun } from './run-record.js';
import { closeTask } from './task-record.js';
import { deliverResolution, resolveWait, runWaits, waitKeyOf } from './wait-record.js';

/**
 * Opening and closing waits. A Task state that waits on roles
 * (`.waitForTaskToken`) opens one *wait* in the run's collection — holding
 * the task token, how the wait resolves, and how it was resolved — and one
 * *task* per assignee in that role's task list. Completing tasks resolves the
 * wait (once: a conditional write) and delivers the resolution with the
 * token. The token changes whenever the Task state is entered again (a retry,
 * a reminder, a resumed local run); the wait and its tasks do not, so a task
 * id stays valid.
 */

export type { DecisionRule, TaskEffect, WaitMode } from './records.js';

export interface Assignment {
  readonly assignee: EndpointId;
  readonly title?: string;
  readonly instructions?: string;
  /** Why the task goes to this assignee (shown by my_tasks); default: the stage names its role. */
  readonly routedBecause?: string;
}

export interface OpenWaitInput {
  readonly ref: RunRef;
  readonly token: string;
  /** The Task state's name (the machine routes reminders back to it). */
  readonly state: string;
  readonly stage: string;
  /** The loop round (a rejected review opens design again in the next round). */
  readonly round: number;
  readonly kind: TaskKind;
  readonly title: string;
  readonly instructions: string;
  readonly assignments: readonly Assignment[];
  readonly mode: WaitMode;
  /** A negative outcome (reject, failed): let the machine branch on it, or fail the run with the assignee's reason. */
  readonly onNegative: 'continue' | 'fail_run';
  readonly heartbeatSeconds: number;
  readonly maxReminders: number;
  readonly context: Record<string, unknown>;
  /** The result complete_task must carry (a JSON Schema object), when the stage declares one. */
  readonly resultSchema?: Record<string, unknown> | null;
  /** False: the assignees already got the one message asking for this (a vote request); no "New task" message. */
  readonly notify?: boolean;
  readonly decision?: { readonly decisionId: string; readonly rule: DecisionRule; readonly effect?: TaskEffect; readonly awaiting?: EndpointId };
}

export interface OpenWaitResult {
  readonly wait_id: string;
  /** False when the wait already existed (the state was entered again): only its token changed. */
  readonly opened: boolean;
  readonly task_ids: string[];
}

const CONTEXT_LIMIT = 16_000;

function taskIdOf(runId: string, stage: string, round: number, assignee: EndpointId, perAssignee: boolean): string {
  return perAssignee ? `${runId}.${stage}.${round}.${assignee}` : `${runId}.${stage}.${round}`;
}

/**
 * Opens (or re-arms) the wait of a Task state and the tasks it puts in the
 * assignees' lists. Idempotent per run, state and round: entering the state
 * again keeps the same wait and task ids and only replaces the token; if the
 * wait was resolved meanwhile (a completion that had not reached the engine),
 * the resolution is delivered at once with the new token.
 */
export async function openWait(deps: Deps, input: OpenWaitInput): Promise<OpenWaitResult> {
  const { ref } = input;
  const ctx = { correlationId: ref.correlation_id };
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  if (run.status !== 'running') throw new ConflictError(`run ${ref.run_id} is ${run.status}; it opens no more tasks`);
  const waitId = `${input.state}.${input.round}`;
  const key = waitKeyOf(ref.tenant_id, ref.run_id, waitId);
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const perAssignee = input.assignments.length > 1 || input.mode !== 'any';
  const fresh: WaitRecord = {
    tenant_id: ref.tenant_id,
    run_id: ref.run_id,
    workflow: ref.workflow,
    wait_id: waitId,
    state: input.state,
    stage: input.stage,
    round: input.round,
    kind: input.kind,
    mode: input.mode,
    on_negative: input.onNegative,
    decision_id: input.decision?.decisionId ?? null,
    decision_rule: input.decision?.rule ?? null,
    awaiting: input.decision?.awaiting ?? null,
    tasks: input.assignments.map((a) => ({ assignee: a.assignee, task_id: taskIdOf(ref.run_id, input.stage, input.round, a.assignee, perAssignee) })),
    results: {},
    status: 'waiting',
    resolution: null,
    resolved_at: null,
    token: input.token,
    opened_at: at,
    armed_at: at,
    reminders: 0,
    reminded_at: null,
    max_reminders: input.maxReminders,
    heartbeat_seconds: input.heartbeatSeconds,
    due_at: new Date(now + (input.maxReminders + 1) * input.heartbeatSeconds * 1000).toISOString(),
    version: 1,
  };
  let wait = fresh;
  let opened = true;
  try {
    await deps.store.put(waitCodec.encode(fresh), { kind: 'absent' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    opened = false;
    // The state was entered again: only the token changes (a resolved wait keeps its resolution).
    const rearmed = await updateRecord(deps.store, key, waitCodec, (w) => (w.status !== 'waiting' ? undefined : { ...w, token: input.token, armed_at: at }), { what: `wait ${waitId}` });
    if (!rearmed) throw new ConflictError(`wait ${waitId} vanished`);
    wait = rearmed.record;
    if (wait.status !== 'waiting') {
      await deliverResolution(deps, wait, input.token);
      return { wait_id: waitId, opened: false, task_ids: wait.tasks.map((t) => t.task_id) };
    }
  }

  const context = boundedContext({ input: run.input, ...(Object.keys(run.subject).length ? { subject: run.subject } : {}), ...input.context });
  const created: { assignee: EndpointId; task_id: string; title: string; instructions: string }[] = [];
  for (const [i, task] of wait.tasks.entries()) {
    const assignment = input.assignments.find((a) => a.assignee === task.assignee) ?? input.assignments[i];
    const title = `${assignment?.title ?? input.title}: ${run.title}`.slice(0, 300);
    const record: TaskRecord = {
      tenant_id: ref.tenant_id,
      task_id: task.task_id,
      assignee: task.assignee,
      kind: input.kind,
      title,
      instructions: assignment?.instructions ?? input.instructions,
      status: 'open',
      outcome: null,
      result: null,
      run_id: ref.run_id,
      workflow: ref.workflow,
      stage: input.stage,
      wait_id: waitId,
      decision_id: input.decision?.decisionId ?? null,
      effect: input.decision?.effect ?? null,
      context,
      result_schema: input.resultSchema ?? null,
      routed_because: assignment?.routedBecause ?? `the ${input.stage} stage is assigned to ${task.assignee}`,
      reminders: 0,
      created_at: wait.opened_at,
      updated_at: at,
      due_at: wait.due_at,
      completed_at: null,
      completed_by: null,
      version: 1,
    };
    try {
      await deps.store.put(taskCodec.encode(record), { kind: 'absent' });
      created.push({ ...task, title, instructions: record.instructions });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  const assignees = wait.tasks.map((t) => t.assignee);
  if (run.current_wait_id !== waitId) {
    await updateRun(deps, ref.tenant_id, ref.run_id, (r) =>
      r.status !== 'running' ? undefined : { ...r, current_state: input.state, current_stage: input.stage, current_wait_id: waitId, waiting_on: assignees },
    );
  }
  if (opened) {
    await recordHistory(deps, ref, {
      event: 'stage_opened',
      stage: input.stage,
      actor: null,
      detail: `${input.stage} (round ${input.round + 1}) waits on ${assignees.length ? assignees.join(', ') : `decision ${input.decision?.decisionId ?? ''}`}`,
    });
  }
  const events = [
    ...(opened
      ? [buildEvent('Workflow.StageChanged.v1', { ...envelope(ref, at), run_id: ref.run_id, workflow: ref.workflow, stage: input.stage, waiting_on: assignees[0] ?? null })]
      : []),
    ...created.map((t) =>
      buildEvent('Task.Created.v1', { ...envelope(ref, at), task_id: t.task_id, assignee: t.assignee, kind: input.kind, title: t.title, run_id: ref.run_id, due_at: wait.due_at }),
    ),
  ];
  if (events.length) await deps.bus.publish(events);
  for (const t of input.notify === false ? [] : created) {
    await deliver(deps, {
      tenantId: ref.tenant_id,
      messageId: notificationId(at, `task:${t.task_id}`, t.assignee),
      from: 'conclave',
      to: t.assignee,
      recipients: [t.assignee],
      type: 'request',
      priority: 'high',
      subject: `New task: ${t.title}`.slice(0, 200),
      content:
        `The ${ref.workflow} run ${ref.run_id} waits on you (stage ${input.stage}).\n\n${t.instructions}\n\n` +
        `Due ${wait.due_at}. Finish with: complete_task { task_id: "${t.task_id}", outcome: ${TASK_OUTCOMES[input.kind].join(' | ')}, result }` +
        (input.resultSchema ? `\n\nThe result must match: ${JSON.stringify(input.resultSchema)}` : ''),
      threadId: `run-${ref.run_id}`,
      replyTo: null,
      correlationId: ctx.correlationId,
      sentAt: at,
      request: `task:${t.task_id}`,
    });
    // Completed (or closed) before its request reached the inbox: settle the request now.
    const now = await deps.store.get(keys.task(ref.tenant_id, t.assignee, t.task_id));
    if (!now || taskCodec.decode(now).status !== 'open') await resolveRequests(deps, ref.tenant_id, `task:${t.task_id}`);
  }
  if (input.decision) {
    await deps.store.put(decisionWaiterCodec(ref.tenant_id, input.decision.decisionId).encode({ run_id: ref.run_id, wait_id: waitId }));
    await settleDecisionWaiters(deps, ctx, ref.tenant_id, input.decision.decisionId, { runId: ref.run_id, waitId });
  }
  return { wait_id: waitId, opened, task_ids: wait.tasks.map((t) => t.task_id) };
}

function boundedContext(context: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(context);
  if (json.length <= CONTEXT_LIMIT) return context;
  return { note: `the context is ${json.length} characters; see workflow_status for the run's results`, input: JSON.stringify(context.input ?? {}).slice(0, 4000) };
}

/** Closes every wait of a run still waiting, and its open tasks (the run is ending). */
export async function closeOpenWaits(deps: Deps, _ctx: RequestContext, ref: RunRef, taskStatus: Extract<TaskStatus, 'cancelled' | 'expired'>): Promise<void> {
  const waits = await runWaits(deps, ref.tenant_id, ref.run_id);
  for (const wait of waits.filter((w) => w.status === 'waiting')) {
    for (const task of wait.tasks) await closeTask(deps, ref.tenant_id, task.assignee, task.task_id, taskStatus);
    await resolveWait(deps, waitKeyOf(ref.tenant_id, ref.run_id, wait.wait_id), { closed: taskStatus });
    if (wait.decision_id) await deps.store.delete(keys.decisionWaiter(ref.tenant_id, wait.decision_id, ref.run_id, wait.wait_id));
  }
}
