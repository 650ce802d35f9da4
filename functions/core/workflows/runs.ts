import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import { ROUNDS, WORKFLOW_INPUTS, type MachineId, type RunStatus, type WorkflowName } from '../../contracts/workflows.js';
import type { Deps, RequestContext } from '../context.js';
import { DependencyError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { reportOutcome } from '../outcomes/report-outcome.js';
import type { RunRef, RunView } from './model.js';
import { runCodec, type RunRecord } from './records.js';
import { describe, envelope, loadRun, recordHistory, refOf, toRunView, updateRun } from './run-record.js';
import { closeOpenWaits } from './waits.js';

export { describe, envelope, loadRun, recordHistory, refOf, toRunView, updateRun } from './run-record.js';

/** The state every execution starts with: who the run is, its validated input, zeroed loop counters, no results yet. */
export function executionInput(ref: RunRef, input: Record<string, unknown>): Record<string, unknown> {
  return { run: ref, input, rounds: Object.fromEntries(ROUNDS[ref.workflow].map((name) => [name, 0])), results: {} };
}

export interface StartRunInput {
  readonly tenantId: string;
  /** The run id, also the execution name: deterministic for runs started from an event, so a redelivered event starts nothing new. */
  readonly runId: string;
  readonly workflow: MachineId;
  readonly initiator: EndpointId;
  readonly title: string;
  /** The workflow's input as the machine reads it (`$.input`). */
  readonly input: Record<string, unknown>;
  readonly decisionId?: string;
  /** What the run is about (e.g. `release_id`, `feature_id`), carried to every stage. */
  readonly subject?: Record<string, string>;
}

/**
 * Records a run and starts its execution. Idempotent on the run id: an
 * existing run is not recorded again, and its execution is (re)started only
 * if it is still running (the engine ignores a name it already has), so a
 * crash between the two writes heals on a retry. Nothing is published here —
 * the execution's first step does (`beginRun`) — so bus consumers may start
 * runs without publishing rights. If the engine refuses, DependencyError;
 * a run left without an execution is reconciled as failed (getRunStatus).
 */
export async function startRun(deps: Deps, ctx: RequestContext, s: StartRunInput): Promise<RunView> {
  const at = new Date(deps.clock.now()).toISOString();
  const record: RunRecord = {
    tenant_id: s.tenantId,
    run_id: s.runId,
    workflow: s.workflow,
    initiator: s.initiator,
    title: s.title,
    input: s.input,
    status: 'running',
    cause: null,
    outcome: null,
    started_at: at,
    ended_at: null,
    correlation_id: ctx.correlationId,
    current_state: null,
    current_stage: null,
    current_wait_id: null,
    waiting_on: [],
    decision_id: s.decisionId ?? null,
    subject: s.subject ?? {},
    vote_decisions: {},
    started_published: false,
    version: 1,
  };
  let run = record;
  try {
    await deps.store.put(runCodec.encode(record), { kind: 'absent' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    run = await loadRun(deps, s.tenantId, s.runId);
  }
  if (run.status === 'running') {
    try {
      await deps.workflows.start(s.workflow, s.runId, executionInput(refOf(run), run.input));
    } catch (error) {
      throw new DependencyError(`could not start ${s.workflow} run ${s.runId}: ${describe(error)}`, { cause: error });
    }
  }
  return toRunView(await loadRun(deps, s.tenantId, s.runId));
}

/**
 * `begin` (every machine's first step): records that the run started and
 * publishes Workflow.Started.v1, once however often the step runs.
 */
export async function beginRun(deps: Deps, ref: RunRef): Promise<{ started: boolean }> {
  const marked = await updateRun(deps, ref.tenant_id, ref.run_id, (run) => (run.started_published ? undefined : { ...run, started_published: true }));
  if (!marked) return { started: false };
  const at = new Date(deps.clock.now()).toISOString();
  await recordHistory(deps, ref, { event: 'started', stage: null, actor: ref.initiator, detail: `${ref.workflow} started by ${ref.initiator}: ${marked.title}` });
  await deps.bus.publish([buildEvent('Workflow.Started.v1', { ...envelope(ref, at), run_id: ref.run_id, workflow: ref.workflow, initiator: ref.initiator })]);
  return { started: true };
}

/** The title a run shows: the workflow input's own name for what it is about. */
function titleOf(workflow: WorkflowName, input: Record<string, unknown>): string {
  return String(workflow === 'strategic_planning' ? input.initiative : input.title);
}

/**
 * `start_workflow`: validates the input with the workflow's contract and
 * starts a run (a new id every call unless `runId` is given, as a consumer
 * does to stay idempotent). Severity 1 incidents tell the leadership at once
 * (the machine branches on `notify_leadership`) unless already told.
 */
export async function startWorkflow(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; initiator: EndpointId; workflow: WorkflowName; input: unknown; leadershipNotified?: boolean; runId?: string },
): Promise<RunView> {
  const parsed = WORKFLOW_INPUTS[input.workflow].safeParse(input.input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `input${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`).join('; ');
    throw new ValidationError(`invalid input for ${input.workflow}: ${issues}`);
  }
  const value = parsed.data as Record<string, unknown>;
  const machineInput = input.workflow === 'incident_response' ? { ...value, notify_leadership: value.severity === 1 && !input.leadershipNotified } : value;
  return startRun(deps, ctx, {
    tenantId: input.tenantId,
    runId: input.runId ?? deps.ids.next(),
    workflow: input.workflow,
    initiator: input.initiator,
    title: titleOf(input.workflow, value),
    input: machineInput,
  });
}

export interface RunEnd {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly cause?: string | null;
  readonly outcome?: string | null;
}

/**
 * Ends a run: closes every task still open (cancelled, or expired when the
 * run timed out) and its waits, records the status with its cause, publishes
 * Workflow.Completed.v1 and, unless it succeeded, tells the initiator why.
 * Safe to call again: tasks are closed first, and a run already ended is not
 * changed (returns false).
 */
export async function finishRun(deps: Deps, ctx: RequestContext, ref: RunRef, end: RunEnd): Promise<boolean> {
  await closeOpenWaits(deps, ctx, ref, end.status === 'timed_out' ? 'expired' : 'cancelled');
  const at = new Date(deps.clock.now()).toISOString();
  const ended = await updateRun(deps, ref.tenant_id, ref.run_id, (run) =>
    run.status !== 'running'
      ? undefined
      : {
          ...run,
          status: end.status,
          cause: end.cause ?? null,
          outcome: end.outcome ?? null,
          ended_at: at,
          current_state: null,
          current_stage: null,
          current_wait_id: null,
          waiting_on: [],
        },
  );
  if (!ended) return false;
  await recordHistory(deps, ref, {
    event: 'ended',
    stage: null,
    actor: null,
    detail: `${end.status}${end.cause ? `: ${end.cause}` : end.outcome ? `: ${end.outcome}` : ''}`,
  });
  await deps.bus.publish([
    buildEvent('Workflow.Completed.v1', { ...envelope(ref, at), run_id: ref.run_id, workflow: ref.workflow, status: end.status, cause: end.cause ?? null }),
  ]);
  // The initiator hears how its run ended, once (decision runs report through their decision's outcome instead).
  if (ref.workflow !== 'escalation' && ref.workflow !== 'collaborative_decision') {
    const word = end.status === 'succeeded' ? 'succeeded' : end.status === 'failed' ? 'failed' : 'timed out';
    await reportOutcome(deps, {
      tenantId: ref.tenant_id,
      correlationId: ref.correlation_id,
      subject: 'workflow_run',
      subjectId: ref.run_id,
      kind: ref.workflow,
      initiator: ref.initiator,
      status: end.status,
      decidedBy: null,
      reason: end.status === 'succeeded' ? (end.outcome ?? 'every stage completed') : `Cause: ${end.cause ?? 'not recorded'}. No task of the run is left open.`,
      applied: null,
      endedAt: at,
      seeMore: `See workflow_status { run_id: "${ref.run_id}" }.`,
      title: `Workflow ${word}: ${ref.workflow} "${ended.title}"`,
    });
  }
  return true;
}

/**
 * Reconciles a run with the engine: a run the store shows running whose
 * execution ended without recording it (an error no Catch could route, a
 * machine-level timeout, an execution stopped by hand) is ended with the
 * engine's cause. Returns whether it changed anything.
 */
export async function reconcileRun(deps: Deps, ref: RunRef, engine: { status: string; error?: string; cause?: string }): Promise<boolean> {
  if (engine.status === 'RUNNING') return false;
  const item = await deps.store.get(keys.run(ref.tenant_id, ref.run_id));
  if (!item || runCodec.decode(item).status !== 'running') return false;
  const status = engine.status === 'TIMED_OUT' ? 'timed_out' : engine.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
  const cause = status === 'succeeded' ? null : `the execution ended ${engine.status}${engine.error ? ` (${engine.error}${engine.cause ? `: ${engine.cause}` : ''})` : ''} without recording it`;
  return finishRun(deps, { correlationId: ref.correlation_id }, ref, { status, cause });
}

