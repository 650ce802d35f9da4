import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import { TASK_OUTCOMES, WORKFLOW_ERRORS, type RunStatus, type TaskOutcome, type TaskStatus } from '../../contracts/workflows.js';
import type { Deps, RequestContext } from '../context.js';
import { castVote, ruleOnDecision } from '../decisions/decisions.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { resolveRequests } from '../messages/requests.js';
import { putIfUnchanged, updateRecord } from '../versioned.js';
import { settleDecisionWaiters } from './decision-waits.js';
import { governStageCompletion } from './governed-stages.js';
import type { TaskView } from './model.js';
import { taskCodec, waitCodec, type TaskRecord } from './records.js';
import { resultProblems } from './result-schema.js';
import { envelope, loadRun, recordHistory, refOf } from './run-record.js';
import { closeTask, loadTask, toTaskView } from './task-record.js';
import { loadWait, resolveWait, waitKeyOf, type Delivery, type WaitKey } from './wait-record.js';

/**
 * Tasks: completing one (`complete_task`, the console, an autopilot agent all
 * call completeTask) and listing a role's tasks (`my_tasks`). Waits, reminders
 * and decision waits live in their own modules; their names are re-exported
 * here for callers that know them from this module.
 */

export { openWait, closeOpenWaits, type Assignment, type OpenWaitInput, type OpenWaitResult, type DecisionRule, type TaskEffect, type WaitMode } from './waits.js';
export { settleDecisionWaiters } from './decision-waits.js';
export { remindWait, timeoutCause } from './reminders.js';
export { resolveWait, type Delivery } from './wait-record.js';
export type { Resolution } from './records.js';
export { closeTask, toTaskView } from './task-record.js';

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
 * kind. The result is checked against the stage's declared schema, and a
 * governed stage runs its governed act's rule (deploy approval, quality gate,
 * budget allocation): a refusal changes nothing and gives the tool's reason.
 * Effects on a decision come next (a ruling for an escalation, a vote for a
 * collaborative decision), so if the decision refuses them nothing changes.
 * Then the task is closed (a conditional write: completing twice, or racing
 * the run's end, is a conflict) and its wait is resolved, which resumes the
 * execution.
 */
export async function completeTask(deps: Deps, ctx: RequestContext, input: CompleteInput): Promise<CompleteResult> {
  const task = await loadTask(deps, input.tenantId, input.actor, input.taskId);
  if (!task) throw new NotFoundError(`no task ${input.taskId} in the task list of ${input.actor}: only the assignee completes a task (see my_tasks)`);
  if (task.status !== 'open') throw new ConflictError(`task ${input.taskId} is already ${task.status}${task.outcome ? ` (${task.outcome})` : ''}`);
  const allowed = TASK_OUTCOMES[task.kind] as readonly TaskOutcome[];
  if (!allowed.includes(input.outcome)) {
    throw new ValidationError(`task ${input.taskId} is ${task.kind === 'approval' ? 'an approval' : 'work'}: outcome must be ${allowed.join(' or ')}, not ${input.outcome}`);
  }
  const negative = NEGATIVE.includes(input.outcome);
  if (task.result_schema && !negative) {
    const problems = resultProblems(task.result_schema, input.result ?? {});
    if (problems.length) throw new ValidationError(`result of task ${input.taskId} (stage ${task.stage}) does not match its schema: ${problems.join('; ')}`);
  }
  const waitKey = waitKeyOf(input.tenantId, task.run_id, task.wait_id);
  const wait = await loadWait(deps, waitKey);
  if (!wait || wait.status !== 'waiting') throw new ConflictError(`task ${input.taskId} no longer blocks its run: its stage was already resolved`);
  const run = await loadRun(deps, input.tenantId, task.run_id);
  const ref = refOf(run);
  const rationale = typeof input.result?.rationale === 'string' && input.result.rationale.trim() ? input.result.rationale.trim() : `${input.outcome} (task ${input.taskId})`;

  // The governed act's rule, exactly as its tool applies it; it may add what the act recorded to the result.
  const governed = await governStageCompletion(deps, ctx, { run, task, outcome: input.outcome, result: input.result ?? {}, rationale });
  const result = governed ? { ...(input.result ?? {}), ...governed.result } : (input.result ?? {});
  const outcome = governed?.outcome ?? input.outcome;

  if (task.effect === 'rule') {
    await ruleOnDecision(deps, ctx, { tenantId: input.tenantId, ruler: input.actor, decisionId: decisionOf(task), ruling: input.outcome as 'approve' | 'reject', rationale });
  } else if (task.effect === 'vote') {
    const confidence = typeof input.result?.confidence === 'number' && input.result.confidence >= 0 && input.result.confidence <= 1 ? input.result.confidence : 1;
    await castVote(deps, ctx, { tenantId: input.tenantId, voter: input.actor, decisionId: decisionOf(task), vote: input.outcome as 'approve' | 'reject', confidence, rationale });
  }

  const at = new Date(deps.clock.now()).toISOString();
  const completedRecord: TaskRecord = { ...task, status: 'completed', outcome, result, completed_at: at, completed_by: input.actor, updated_at: at };
  const written = await putIfUnchanged(deps.store, taskCodec.encode(task), taskCodec.encode(completedRecord));
  if (!written) throw new ConflictError(`task ${input.taskId} changed meanwhile (completed or closed with its run); nothing more was done`);
  const completed = taskCodec.decode(written);
  await resolveRequests(deps, input.tenantId, `task:${input.taskId}`);
  await deps.bus.publish([
    buildEvent('Task.Completed.v1', { ...envelope(ref, at), correlation_id: ctx.correlationId, task_id: input.taskId, assignee: input.actor, outcome, run_id: ref.run_id }),
  ]);
  await recordHistory(deps, ref, { event: 'task_completed', stage: task.stage, actor: input.actor, detail: `${input.actor}: ${outcome}${outcome !== input.outcome ? ` (reported ${input.outcome})` : ''}${typeof input.result?.rationale === 'string' ? ` — ${input.result.rationale}` : ''}` });

  let delivery: Delivery | 'already' | 'pending' = 'pending';
  if (wait.mode === 'decision') {
    const resolved = await settleDecisionWaiters(deps, ctx, input.tenantId, decisionOf(task));
    const mine = resolved.find((r) => r.waitKey.pk === waitKey.pk && r.waitKey.sk === waitKey.sk);
    // The decision's own events may have let a consumer resolve the wait first: it resumed the run all the same.
    const stillWaiting = (await loadWait(deps, waitKey))?.status === 'waiting';
    delivery = stillWaiting ? 'pending' : mine?.delivery === 'stale' ? 'stale' : 'delivered';
  } else if (wait.mode === 'any') {
    const failing = NEGATIVE.includes(outcome) && wait.on_negative === 'fail_run';
    const reason = typeof input.result?.reason === 'string' ? input.result.reason : rationale;
    delivery = await resolveWait(
      deps,
      waitKey,
      failing
        ? { error: WORKFLOW_ERRORS.stageFailed, cause: `${input.actor} reported the ${task.stage} stage ${outcome}: ${reason}` }
        : { output: { task_id: input.taskId, assignee: input.actor, outcome, result, completed_at: at } },
    );
    for (const sibling of wait.tasks) {
      if (sibling.task_id !== input.taskId) await closeTask(deps, input.tenantId, sibling.assignee, sibling.task_id, 'cancelled');
    }
  } else {
    delivery = await recordPartAndMaybeResolve(deps, waitKey, input.actor, { task_id: input.taskId, outcome, result });
  }

  let note = 'recorded';
  if (delivery === 'delivered') note = 'the run resumed';
  else if (delivery === 'pending') note = wait.mode === 'all' ? 'recorded; the run resumes when every assignee of the stage has completed' : 'recorded; the run resumes when the decision closes';
  else if (delivery === 'already') note = 'recorded; the stage had already been resolved';
  else if (delivery === 'stale') {
    const now = await loadRun(deps, input.tenantId, ref.run_id);
    if (now.status !== 'running') {
      if (!task.effect) {
        await closeTask(deps, input.tenantId, input.actor, input.taskId, 'expired', 'completed');
        throw new ConflictError(`run ${ref.run_id} already ended (${now.status}) before your completion reached it; the task is expired`);
      }
      note = `your ${task.effect === 'rule' ? 'ruling' : 'vote'} was recorded on decision ${decisionOf(task)}; the run had already ended (${now.status})`;
    } else {
      note = 'recorded; the run picks it up when it re-enters the stage (after a reminder or a restart)';
    }
  }
  const runNow = await loadRun(deps, input.tenantId, ref.run_id);
  return { task: toTaskView(completed), resumed: delivery === 'delivered', run_status: runNow.status, note };
}

/** An `all` wait: records one assignee's result; the last one resolves the wait with every result. */
async function recordPartAndMaybeResolve(deps: Deps, key: WaitKey, assignee: EndpointId, part: Record<string, unknown>): Promise<Delivery | 'already' | 'pending'> {
  const updated = await updateRecord(deps.store, key, waitCodec, (w) => (w.status !== 'waiting' ? undefined : { ...w, results: { ...w.results, [assignee]: part } }), {
    what: `wait ${key.sk}`,
  });
  if (!updated?.changed) return 'already';
  const results = updated.record.results;
  if (!updated.record.tasks.every((t) => t.assignee in results)) return 'pending';
  const parts: Record<string, unknown>[] = Object.entries(results).map(([who, value]) => ({ assignee: who, ...value }));
  return resolveWait(deps, key, { output: { outcome: parts.some((p) => p.outcome === 'failed') ? 'failed' : 'done', results: parts } });
}

/** `my_tasks`: the caller's tasks, newest first, by status (default: open). */
export async function listMyTasks(deps: Deps, input: { tenantId: string; assignee: EndpointId; status: TaskStatus | 'all'; limit: number }): Promise<TaskView[]> {
  const tasks: TaskRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.tasks(input.tenantId, input.assignee), skPrefix: 'TASK#', limit: 200, ...(cursor ? { cursor } : {}) });
    tasks.push(...page.items.map((i) => taskCodec.decode(i)));
    cursor = page.cursor;
  } while (cursor && tasks.length < 2000);
  return tasks
    .filter((t) => input.status === 'all' || t.status === input.status)
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.task_id.localeCompare(a.task_id))
    .slice(0, input.limit)
    .map(toTaskView);
}

/** The decision a vote or ruling task acts on (every such task has one). */
function decisionOf(task: TaskRecord): string {
  if (task.decision_id === null) throw new ConflictError(`task ${task.task_id} acts on no decision`);
  return task.decision_id;
}
