import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import { TASK_OUTCOMES, WORKFLOW_ERRORS, type MachineId, type RunStatus, type TaskKind, type TaskOutcome, type TaskStatus } from '../../contracts/workflows.js';
import type { Item } from '../../ports/store.js';
import type { Deps, RequestContext } from '../context.js';
import { castVote, getDecision, ruleOnDecision } from '../decisions/decisions.js';
import { CLOSED, type Decision } from '../decisions/model.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { deliver, notificationId } from '../messages/messages.js';
import { TaskTokenError, type RunRef, type TaskView } from './model.js';
import { envelope, loadRun, recordHistory, refOf, updateRun } from './runs.js';

/**
 * Tasks and waits. A Task state that waits on roles (`.waitForTaskToken`)
 * opens one *wait* in the run's collection — holding the task token, how the
 * wait resolves, and how it was resolved — and one *task* per assignee in
 * that role's task list. Completing tasks resolves the wait (once: a
 * conditional write) and delivers the resolution with the token. The token
 * changes whenever the Task state is entered again (a retry, a reminder, a
 * resumed local run); the wait and its tasks do not, so a task id stays valid.
 */

/** How a wait resolves: the first completion (`any`), every task completed (`all`), or a decision changing (`decision`). */
export type WaitMode = 'any' | 'all' | 'decision';
/** When a decision wait is satisfied: voting closed, the awaited role ruled (or the decision moved on), or the decision closed. */
export type DecisionRule = 'vote' | 'ruling' | 'outcome';
/** What completing a task does to its decision before resuming the run. */
export type TaskEffect = 'rule' | 'vote';

export interface Assignment {
  readonly assignee: EndpointId;
  readonly title?: string;
  readonly instructions?: string;
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
  if (run.status !== 'running') throw new ConflictError(`run ${ref.run_id} is ${String(run.status)}; it opens no more tasks`);
  const waitId = `${input.state}.${input.round}`;
  const key = keys.runWait(ref.tenant_id, ref.run_id, waitId);
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const perAssignee = input.assignments.length > 1 || input.mode !== 'any';
  const dueAt = new Date(now + (input.maxReminders + 1) * input.heartbeatSeconds * 1000).toISOString();
  const fresh: Item = {
    ...key,
    type: 'wait',
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
    token: input.token,
    opened_at: at,
    armed_at: at,
    reminders: 0,
    max_reminders: input.maxReminders,
    heartbeat_seconds: input.heartbeatSeconds,
    due_at: dueAt,
    version: 1,
  };
  let wait = fresh;
  let opened = true;
  try {
    await deps.store.put(fresh, { kind: 'absent' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    opened = false;
    wait = await rearm(deps, key, input.token, at);
    if (wait.status !== 'waiting') {
      await deliverResolution(deps, wait, input.token);
      return { wait_id: waitId, opened: false, task_ids: taskRefs(wait).map((t) => t.task_id) };
    }
  }

  const context = boundedContext({ input: run.input, ...input.context });
  const created: { assignee: EndpointId; task_id: string; title: string }[] = [];
  for (const [i, task] of taskRefs(wait).entries()) {
    const assignment = input.assignments.find((a) => a.assignee === task.assignee) ?? input.assignments[i];
    const title = `${assignment?.title ?? input.title}: ${String(run.title)}`.slice(0, 300);
    try {
      await deps.store.put(
        {
          ...keys.task(ref.tenant_id, task.assignee, task.task_id),
          type: 'task',
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
          reminders: 0,
          created_at: String(wait.opened_at),
          updated_at: at,
          due_at: String(wait.due_at),
          completed_at: null,
          completed_by: null,
          version: 1,
        },
        { kind: 'absent' },
      );
      created.push({ ...task, title });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  const assignees = taskRefs(wait).map((t) => t.assignee);
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
      buildEvent('Task.Created.v1', { ...envelope(ref, at), task_id: t.task_id, assignee: t.assignee, kind: input.kind, title: t.title, run_id: ref.run_id, due_at: String(wait.due_at) }),
    ),
  ];
  if (events.length) await deps.bus.publish(events);
  for (const t of created) {
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
        `The ${ref.workflow} run ${ref.run_id} waits on you (stage ${input.stage}).\n\n${input.assignments.find((a) => a.assignee === t.assignee)?.instructions ?? input.instructions}\n\n` +
        `Due ${String(wait.due_at)}. Finish with: complete_task { task_id: "${t.task_id}", outcome: ${TASK_OUTCOMES[input.kind].join(' | ')}, result }`,
      threadId: `run-${ref.run_id}`,
      replyTo: null,
      correlationId: ctx.correlationId,
      sentAt: at,
    });
  }
  if (input.decision) {
    await deps.store.put({ ...keys.decisionWaiter(ref.tenant_id, input.decision.decisionId, ref.run_id, waitId), type: 'decision_waiter', run_id: ref.run_id, wait_id: waitId });
    await settleDecisionWaiters(deps, ctx, ref.tenant_id, input.decision.decisionId, { runId: ref.run_id, waitId });
  }
  return { wait_id: waitId, opened, task_ids: taskRefs(wait).map((t) => t.task_id) };
}

/** Replaces a wait's token (the Task state was entered again). */
async function rearm(deps: Deps, key: { pk: string; sk: string }, token: string, at: string): Promise<Item> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await deps.store.get(key);
    if (!current) throw new NotFoundError(`wait ${key.sk} vanished`);
    if (current.status !== 'waiting') return current;
    const next = { ...current, token, armed_at: at, version: Number(current.version) + 1 };
    try {
      await deps.store.put(next, { kind: 'version', version: Number(current.version) });
      return next;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new ConflictError(`wait ${key.sk} is changing concurrently`);
}

function taskRefs(wait: Item): { assignee: EndpointId; task_id: string }[] {
  return (wait.tasks as { assignee: EndpointId; task_id: string }[] | undefined) ?? [];
}

function boundedContext(context: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(context);
  if (json.length <= CONTEXT_LIMIT) return context;
  return { note: `the context is ${json.length} characters; see workflow_status for the run's results`, input: JSON.stringify(context.input ?? {}).slice(0, 4000) };
}

/** How a wait was resolved: an output for the Task state, a failure its Catch routes, or closed with the run. */
export type Resolution =
  | { readonly output: Record<string, unknown> }
  | { readonly error: string; readonly cause: string }
  | { readonly closed: TaskStatus };

type Delivery = 'delivered' | 'stale' | 'none';

/** Resolves a waiting wait once (a conditional write) and delivers the resolution; 'already' if someone resolved it first. */
export async function resolveWait(deps: Deps, key: { pk: string; sk: string }, resolution: Resolution): Promise<Delivery | 'already'> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await deps.store.get(key);
    if (!current || current.status !== 'waiting') return 'already';
    const next: Item = { ...current, status: 'resolved', resolution, resolved_at: new Date(deps.clock.now()).toISOString(), version: Number(current.version) + 1 };
    try {
      await deps.store.put(next, { kind: 'version', version: Number(current.version) });
    } catch (error) {
      if (error instanceof PreconditionFailedError) continue;
      throw error;
    }
    return deliverResolution(deps, next, String(next.token));
  }
  throw new ConflictError(`wait ${key.sk} is changing concurrently; try again`);
}

/** Sends a resolved wait's resolution with `token`. A refused token means the run moved on without it ('stale'). */
async function deliverResolution(deps: Deps, wait: Item, token: string): Promise<Delivery> {
  const resolution = wait.resolution as Resolution | null;
  if (!resolution || 'closed' in resolution) return 'none';
  try {
    if ('output' in resolution) await deps.workflows.sendTaskSuccess(token, resolution.output);
    else await deps.workflows.sendTaskFailure(token, resolution.error, resolution.cause);
    return 'delivered';
  } catch (error) {
    if (error instanceof TaskTokenError) {
      deps.log.info('task token refused: the run moved on without it; a re-armed state delivers the resolution', { run_id: wait.run_id, wait_id: wait.wait_id });
      return 'stale';
    }
    throw error;
  }
}

export interface CompleteInput {
  readonly tenantId: string;
  readonly actor: EndpointId;
  readonly taskId: string;
  readonly outcome: TaskOutcome;
  readonly result?: Record<string, unknown>;
}

export interface CompleteResult {
  readonly task: TaskView;
  /** True when this completion resumed the run's execution. */
  readonly resumed: boolean;
  readonly run_status: RunStatus;
  readonly note: string;
}

const NEGATIVE: readonly TaskOutcome[] = ['reject', 'failed'];

/**
 * `complete_task`: the assignee completes an open task with an outcome of its
 * kind. Effects on a decision come first (a ruling for an escalation, a vote
 * for a collaborative decision), so if the decision refuses them nothing
 * changes. Then the task is closed (a conditional write: completing twice, or
 * racing the run's end, is a conflict) and its wait is resolved, which
 * resumes the execution.
 */
export async function completeTask(deps: Deps, ctx: RequestContext, input: CompleteInput): Promise<CompleteResult> {
  const key = keys.task(input.tenantId, input.actor, input.taskId);
  const task = await deps.store.get(key);
  if (!task) throw new NotFoundError(`no task ${input.taskId} in the task list of ${input.actor}: only the assignee completes a task (see my_tasks)`);
  if (task.status !== 'open') throw new ConflictError(`task ${input.taskId} is already ${String(task.status)}${task.outcome ? ` (${String(task.outcome)})` : ''}`);
  const kind = task.kind as TaskKind;
  const allowed = TASK_OUTCOMES[kind] as readonly TaskOutcome[];
  if (!allowed.includes(input.outcome)) {
    throw new ValidationError(`task ${input.taskId} is ${kind === 'approval' ? 'an approval' : 'work'}: outcome must be ${allowed.join(' or ')}, not ${input.outcome}`);
  }
  const waitKey = keys.runWait(input.tenantId, String(task.run_id), String(task.wait_id));
  const wait = await deps.store.get(waitKey);
  if (!wait || wait.status !== 'waiting') throw new ConflictError(`task ${input.taskId} no longer blocks its run: its stage was already resolved`);
  const run = await loadRun(deps, input.tenantId, String(task.run_id));
  const ref = refOf(run);
  const rationale = typeof input.result?.rationale === 'string' && input.result.rationale.trim() ? input.result.rationale.trim() : `${input.outcome} (task ${input.taskId})`;

  if (task.effect === 'rule') {
    await ruleOnDecision(deps, ctx, { tenantId: input.tenantId, ruler: input.actor, decisionId: String(task.decision_id), ruling: input.outcome as 'approve' | 'reject', rationale });
  } else if (task.effect === 'vote') {
    const confidence = typeof input.result?.confidence === 'number' && input.result.confidence >= 0 && input.result.confidence <= 1 ? input.result.confidence : 1;
    await castVote(deps, ctx, { tenantId: input.tenantId, voter: input.actor, decisionId: String(task.decision_id), vote: input.outcome as 'approve' | 'reject', confidence, rationale });
  }

  const at = new Date(deps.clock.now()).toISOString();
  const completed: Item = {
    ...task,
    status: 'completed',
    outcome: input.outcome,
    result: input.result ?? null,
    completed_at: at,
    completed_by: input.actor,
    updated_at: at,
    version: Number(task.version) + 1,
  };
  try {
    await deps.store.put(completed, { kind: 'version', version: Number(task.version) });
  } catch (error) {
    if (error instanceof PreconditionFailedError) throw new ConflictError(`task ${input.taskId} changed meanwhile (completed or closed with its run); nothing more was done`);
    throw error;
  }
  await deps.bus.publish([
    buildEvent('Task.Completed.v1', { ...envelope(ref, at), correlation_id: ctx.correlationId, task_id: input.taskId, assignee: input.actor, outcome: input.outcome, run_id: ref.run_id }),
  ]);
  await recordHistory(deps, ref, { event: 'task_completed', stage: String(task.stage), actor: input.actor, detail: `${input.actor}: ${input.outcome}${typeof input.result?.rationale === 'string' ? ` — ${input.result.rationale}` : ''}` });

  let delivery: Delivery | 'already' | 'pending' = 'pending';
  const mode = wait.mode as WaitMode;
  if (mode === 'decision') {
    const resolved = await settleDecisionWaiters(deps, ctx, input.tenantId, String(task.decision_id));
    const mine = resolved.find((r) => r.waitKey.pk === waitKey.pk && r.waitKey.sk === waitKey.sk);
    // The decision's own events may have let a consumer resolve the wait first: it resumed the run all the same.
    const stillWaiting = (await deps.store.get(waitKey))?.status === 'waiting';
    delivery = stillWaiting ? 'pending' : mine?.delivery === 'stale' ? 'stale' : 'delivered';
  } else if (mode === 'any') {
    const negative = NEGATIVE.includes(input.outcome) && wait.on_negative === 'fail_run';
    const reason = typeof input.result?.reason === 'string' ? input.result.reason : rationale;
    delivery = await resolveWait(
      deps,
      waitKey,
      negative
        ? { error: WORKFLOW_ERRORS.stageFailed, cause: `${input.actor} reported the ${String(task.stage)} stage ${input.outcome}: ${reason}` }
        : { output: { task_id: input.taskId, assignee: input.actor, outcome: input.outcome, result: input.result ?? {}, completed_at: at } },
    );
    for (const sibling of taskRefs(wait)) {
      if (sibling.task_id !== input.taskId) await closeTask(deps, input.tenantId, sibling.assignee, sibling.task_id, 'cancelled');
    }
  } else {
    delivery = await recordPartAndMaybeResolve(deps, waitKey, input.actor, { task_id: input.taskId, outcome: input.outcome, result: input.result ?? {} });
  }

  let note = 'recorded';
  if (delivery === 'delivered') note = 'the run resumed';
  else if (delivery === 'pending') note = mode === 'all' ? 'recorded; the run resumes when every assignee of the stage has completed' : 'recorded; the run resumes when the decision closes';
  else if (delivery === 'already') note = 'recorded; the stage had already been resolved';
  else if (delivery === 'stale') {
    const now = await loadRun(deps, input.tenantId, ref.run_id);
    if (now.status !== 'running') {
      if (!task.effect) {
        await closeTask(deps, input.tenantId, input.actor, input.taskId, 'expired', 'completed');
        throw new ConflictError(`run ${ref.run_id} already ended (${String(now.status)}) before your completion reached it; the task is expired`);
      }
      note = `your ${task.effect === 'rule' ? 'ruling' : 'vote'} was recorded on decision ${String(task.decision_id)}; the run had already ended (${String(now.status)})`;
    } else {
      note = 'recorded; the run picks it up when it re-enters the stage (after a reminder or a restart)';
    }
  }
  const runNow = await loadRun(deps, input.tenantId, ref.run_id);
  return { task: toTaskView(completed), resumed: delivery === 'delivered', run_status: runNow.status as RunStatus, note };
}

/** An `all` wait: records one assignee's result; the last one resolves the wait with every result. */
async function recordPartAndMaybeResolve(deps: Deps, key: { pk: string; sk: string }, assignee: EndpointId, part: Record<string, unknown>): Promise<Delivery | 'already' | 'pending'> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await deps.store.get(key);
    if (!current || current.status !== 'waiting') return 'already';
    const results = { ...(current.results as Record<string, unknown>), [assignee]: part };
    const done = taskRefs(current).every((t) => t.assignee in results);
    const next = { ...current, results, version: Number(current.version) + 1 };
    try {
      await deps.store.put(next, { kind: 'version', version: Number(current.version) });
    } catch (error) {
      if (error instanceof PreconditionFailedError) continue;
      throw error;
    }
    if (!done) return 'pending';
    const parts: Record<string, unknown>[] = Object.entries(results).map(([who, value]) => ({ assignee: who, ...(value as Record<string, unknown>) }));
    return resolveWait(deps, key, { output: { outcome: parts.some((p) => p.outcome === 'failed') ? 'failed' : 'done', results: parts } });
  }
  throw new ConflictError(`wait ${key.sk} is changing concurrently; try again`);
}

/** Closes an open task (its run or stage no longer needs it). A task already closed is left as it is. */
export async function closeTask(deps: Deps, tenantId: string, assignee: EndpointId, taskId: string, status: TaskStatus, from: TaskStatus = 'open'): Promise<boolean> {
  const key = keys.task(tenantId, assignee, taskId);
  for (let attempt = 0; attempt < 5; attempt++) {
    const task = await deps.store.get(key);
    if (!task || task.status !== from) return false;
    const at = new Date(deps.clock.now()).toISOString();
    try {
      await deps.store.put({ ...task, status, updated_at: at, completed_at: task.completed_at ?? at, version: Number(task.version) + 1 }, { kind: 'version', version: Number(task.version) });
      return true;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  return false;
}

/** Closes every wait of a run still waiting, and its open tasks (the run is ending). */
export async function closeOpenWaits(deps: Deps, _ctx: RequestContext, ref: RunRef, taskStatus: 'cancelled' | 'expired'): Promise<void> {
  const waits = await runWaits(deps, ref.tenant_id, ref.run_id);
  for (const wait of waits.filter((w) => w.status === 'waiting')) {
    for (const task of taskRefs(wait)) await closeTask(deps, ref.tenant_id, task.assignee, task.task_id, taskStatus);
    await resolveWait(deps, { pk: wait.pk, sk: wait.sk }, { closed: taskStatus });
    if (wait.decision_id) await deps.store.delete(keys.decisionWaiter(ref.tenant_id, String(wait.decision_id), ref.run_id, String(wait.wait_id)));
  }
}

async function runWaits(deps: Deps, tenantId: string, runId: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.runPartition(tenantId, runId), skPrefix: keys.runWaitPrefix, limit: 100, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

function satisfied(wait: Item, decision: Decision): boolean {
  switch (wait.decision_rule as DecisionRule) {
    case 'vote':
      return decision.status !== 'pending';
    case 'ruling':
      return CLOSED.includes(decision.status) || decision.awaiting !== wait.awaiting;
    default:
      return CLOSED.includes(decision.status);
  }
}

/** Marks vote tasks completed for participants who voted some other way (the `vote` tool). */
async function syncVoteTasks(deps: Deps, tenantId: string, wait: Item, decision: Decision): Promise<void> {
  if (wait.decision_rule !== 'vote') return;
  for (const ref of taskRefs(wait)) {
    const vote = decision.votes.find((v) => v.voter === ref.assignee);
    if (!vote) continue;
    const key = keys.task(tenantId, ref.assignee, ref.task_id);
    const task = await deps.store.get(key);
    if (!task || task.status !== 'open') continue;
    const outcome = vote.vote === 'abstain' ? null : vote.vote;
    try {
      await deps.store.put(
        { ...task, status: 'completed', outcome, result: { vote: vote.vote, confidence: vote.confidence, rationale: vote.rationale }, completed_at: vote.cast_at, completed_by: ref.assignee, updated_at: vote.cast_at, version: Number(task.version) + 1 },
        { kind: 'version', version: Number(task.version) },
      );
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
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
): Promise<{ waitKey: { pk: string; sk: string }; delivery: Delivery | 'already' }[]> {
  let decision: Decision;
  try {
    decision = await getDecision(deps, tenantId, decisionId);
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  const page = await deps.store.query({ pk: keys.decision(tenantId, decisionId), skPrefix: keys.decisionWaiterPrefix, limit: 100 });
  const resolved: { waitKey: { pk: string; sk: string }; delivery: Delivery | 'already' }[] = [];
  for (const waiter of page.items) {
    if (only && (waiter.run_id !== only.runId || waiter.wait_id !== only.waitId)) continue;
    const waitKey = keys.runWait(tenantId, String(waiter.run_id), String(waiter.wait_id));
    const wait = await deps.store.get(waitKey);
    if (!wait || wait.status !== 'waiting') {
      await deps.store.delete({ pk: waiter.pk, sk: waiter.sk });
      continue;
    }
    await syncVoteTasks(deps, tenantId, wait, decision);
    if (!satisfied(wait, decision)) continue;
    for (const task of taskRefs(wait)) await closeTask(deps, tenantId, task.assignee, task.task_id, 'cancelled');
    const delivery = await resolveWait(deps, waitKey, {
      output: { decision_id: decisionId, status: decision.status, outcome: decision.outcome, awaiting: decision.awaiting, resolved_by: 'decision' },
    });
    await deps.store.delete({ pk: waiter.pk, sk: waiter.sk });
    resolved.push({ waitKey, delivery });
  }
  return resolved;
}

/**
 * The `remind` step: the run's current wait got no answer for a heartbeat
 * interval. Reminds every assignee still open (an inbox message) and counts
 * the reminder; once the wait's reminders are used up it reports `expired`
 * and the machine takes its timeout path. Returns the state to re-enter.
 */
export async function remindWait(deps: Deps, ref: RunRef): Promise<{ state: string; expired: boolean; reminders: number }> {
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const waitId = run.current_wait_id as string | null;
  if (!waitId) return { state: String(run.current_state ?? ''), expired: true, reminders: 0 };
  const key = keys.runWait(ref.tenant_id, ref.run_id, waitId);
  let wait = await deps.store.get(key);
  if (!wait) return { state: String(run.current_state ?? ''), expired: true, reminders: 0 };
  if (wait.status === 'waiting' && wait.decision_id) {
    await settleDecisionWaiters(deps, { correlationId: ref.correlation_id }, ref.tenant_id, String(wait.decision_id), { runId: ref.run_id, waitId });
    wait = (await deps.store.get(key)) as Item;
  }
  const state = String(wait.state);
  // Resolved meanwhile: re-entering the state delivers the resolution.
  if (wait.status !== 'waiting') return { state, expired: false, reminders: Number(wait.reminders) };
  const count = Number(wait.reminders) + 1;
  if (count > Number(wait.max_reminders)) return { state, expired: true, reminders: count - 1 };
  const at = new Date(deps.clock.now()).toISOString();
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.store.put({ ...wait, reminders: count, reminded_at: at, version: Number(wait.version) + 1 }, { kind: 'version', version: Number(wait.version) });
      break;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError) || attempt >= 5) throw error;
      wait = (await deps.store.get(key)) as Item;
      if (wait.status !== 'waiting') return { state, expired: false, reminders: Number(wait.reminders) };
    }
  }
  const tasks = taskRefs(wait);
  const items = tasks.length ? await deps.store.getMany(tasks.map((t) => keys.task(ref.tenant_id, t.assignee, t.task_id))) : [];
  const open = items.filter((t) => t.status === 'open');
  for (const task of open) {
    await deps.store.put({ ...task, reminders: count, updated_at: at, version: Number(task.version) + 1 }, { kind: 'version', version: Number(task.version) }).catch((error: unknown) => {
      if (!(error instanceof PreconditionFailedError)) throw error;
    });
    await deliver(deps, {
      tenantId: ref.tenant_id,
      messageId: notificationId(at, `task:${String(task.task_id)}:reminder:${count}`, task.assignee as EndpointId),
      from: 'conclave',
      to: String(task.assignee),
      recipients: [task.assignee as EndpointId],
      type: 'request',
      priority: 'urgent',
      subject: `Reminder ${count} of ${String(wait.max_reminders)}: ${String(task.title)}`.slice(0, 200),
      content:
        `The ${ref.workflow} run ${ref.run_id} is still waiting on you (stage ${String(wait.stage)}), due ${String(task.due_at)}. ` +
        `After ${String(wait.max_reminders)} reminders the stage times out.\n\nFinish with: complete_task { task_id: "${String(task.task_id)}", outcome, result }`,
      threadId: `run-${ref.run_id}`,
      replyTo: null,
      correlationId: ref.correlation_id,
      sentAt: at,
    });
  }
  await recordHistory(deps, ref, {
    event: 'reminder',
    stage: String(wait.stage),
    actor: null,
    detail: `reminder ${count} of ${String(wait.max_reminders)} to ${open.map((t) => String(t.assignee)).join(', ') || 'nobody (waiting on a decision)'}`,
  });
  return { state, expired: false, reminders: count };
}

/** Why a stage timed out, for the run's cause. */
export async function timeoutCause(deps: Deps, ref: RunRef): Promise<string> {
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const waitId = run.current_wait_id as string | null;
  const wait = waitId ? await deps.store.get(keys.runWait(ref.tenant_id, ref.run_id, waitId)) : undefined;
  if (!wait) return 'a stage timed out';
  const who = taskRefs(wait).map((t) => t.assignee).join(', ') || `decision ${String(wait.decision_id)}`;
  return `stage ${String(wait.stage)} got no answer from ${who} after ${String(wait.reminders)} reminder(s) (due ${String(wait.due_at)})`;
}

/** `my_tasks`: the caller's tasks, newest first, by status (default: open). */
export async function listMyTasks(deps: Deps, input: { tenantId: string; assignee: EndpointId; status: TaskStatus | 'all'; limit: number }): Promise<TaskView[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.tasks(input.tenantId, input.assignee), skPrefix: 'TASK#', limit: 200, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < 2000);
  return items
    .filter((t) => input.status === 'all' || t.status === input.status)
    .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || String(b.task_id).localeCompare(String(a.task_id)))
    .slice(0, input.limit)
    .map(toTaskView);
}

export function toTaskView(item: Item): TaskView {
  const kind = item.kind as TaskKind;
  const status = item.status as TaskStatus;
  return {
    task_id: String(item.task_id),
    assignee: item.assignee as EndpointId,
    kind,
    title: String(item.title),
    instructions: String(item.instructions ?? ''),
    status,
    outcome: (item.outcome as TaskOutcome | null) ?? null,
    allowed_outcomes: status === 'open' ? [...TASK_OUTCOMES[kind]] : [],
    result: (item.result as Record<string, unknown> | null) ?? null,
    run_id: String(item.run_id),
    workflow: item.workflow as MachineId,
    stage: String(item.stage),
    decision_id: (item.decision_id as string | null) ?? null,
    context: (item.context as Record<string, unknown> | undefined) ?? {},
    reminders: Number(item.reminders ?? 0),
    created_at: String(item.created_at),
    due_at: (item.due_at as string | null) ?? null,
    completed_at: (item.completed_at as string | null) ?? null,
  };
}
