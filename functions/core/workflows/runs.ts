import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import { ROUNDS, STAGES, WORKFLOW_INPUTS, type MachineId, type RunStatus, type WorkflowName } from '../../contracts/workflows.js';
import type { Item } from '../../ports/store.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, DependencyError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { deliver, notificationId } from '../messages/messages.js';
import type { HistoryEntry, RunRef, RunStatusView, RunView, StageView } from './model.js';
import { closeOpenWaits } from './tasks.js';

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
  const item: Item = {
    ...keys.run(s.tenantId, s.runId),
    gsi1pk: keys.runs(s.tenantId),
    gsi1sk: `${at}#${s.runId}`,
    type: 'run',
    run_id: s.runId,
    tenant_id: s.tenantId,
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
    version: 1,
  };
  let run = item;
  try {
    await deps.store.put(item, { kind: 'absent' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    run = (await deps.store.get(keys.run(s.tenantId, s.runId))) as Item;
  }
  if (run.status === 'running') {
    try {
      await deps.workflows.start(s.workflow, s.runId, executionInput(refOf(run), run.input as Record<string, unknown>));
    } catch (error) {
      throw new DependencyError(`could not start ${s.workflow} run ${s.runId}: ${describe(error)}`, { cause: error });
    }
  }
  return toRunView((await deps.store.get(keys.run(s.tenantId, s.runId))) ?? run);
}

/**
 * `begin` (every machine's first step): records that the run started and
 * publishes Workflow.Started.v1, once however often the step runs.
 */
export async function beginRun(deps: Deps, ref: RunRef): Promise<{ started: boolean }> {
  const marked = await updateRun(deps, ref.tenant_id, ref.run_id, (run) => (run.started_published ? undefined : { ...run, started_published: true }));
  if (!marked) return { started: false };
  const at = new Date(deps.clock.now()).toISOString();
  await recordHistory(deps, ref, { event: 'started', stage: null, actor: ref.initiator, detail: `${ref.workflow} started by ${ref.initiator}: ${String(marked.title)}` });
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
  if (end.status !== 'succeeded') {
    const title = String(ended.title);
    await deliver(deps, {
      tenantId: ref.tenant_id,
      messageId: notificationId(at, `${ref.run_id}:${end.status}`, ref.initiator),
      from: 'conclave',
      to: ref.initiator,
      recipients: [ref.initiator],
      type: 'notification',
      priority: 'high',
      subject: `Workflow ${end.status === 'failed' ? 'failed' : 'timed out'}: ${ref.workflow} "${title}"`.slice(0, 200),
      content:
        `Run ${ref.run_id} (${ref.workflow}, started by ${ref.initiator}) ${end.status === 'failed' ? 'failed' : 'timed out'}.\n\n` +
        `Cause: ${end.cause ?? 'not recorded'}\n\nNo task of the run is left open. See workflow_status { run_id: "${ref.run_id}" }.`,
      threadId: `run-${ref.run_id}`,
      replyTo: null,
      correlationId: ref.correlation_id,
      sentAt: at,
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
  const run = await deps.store.get(keys.run(ref.tenant_id, ref.run_id));
  if (!run || run.status !== 'running') return false;
  const status = engine.status === 'TIMED_OUT' ? 'timed_out' : engine.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
  const cause = status === 'succeeded' ? null : `the execution ended ${engine.status}${engine.error ? ` (${engine.error}${engine.cause ? `: ${engine.cause}` : ''})` : ''} without recording it`;
  return finishRun(deps, { correlationId: ref.correlation_id }, ref, { status, cause });
}

/** Applies `mutate` to the run item with optimistic concurrency; `undefined` from `mutate` means "no change". */
export async function updateRun(deps: Deps, tenantId: string, runId: string, mutate: (run: Item) => Item | undefined): Promise<Item | undefined> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await deps.store.get(keys.run(tenantId, runId));
    if (!current) throw new NotFoundError(`no workflow run ${runId}`);
    const next = mutate(current);
    if (!next) return undefined;
    try {
      await deps.store.put({ ...next, version: Number(current.version) + 1 }, { kind: 'version', version: Number(current.version) });
      return next;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new ConflictError(`workflow run ${runId} is changing concurrently; try again`);
}

export async function loadRun(deps: Deps, tenantId: string, runId: string): Promise<Item> {
  const run = await deps.store.get(keys.run(tenantId, runId));
  if (!run) throw new NotFoundError(`no workflow run ${runId}`);
  return run;
}

/** Appends a line to the run's history (time-ordered). */
export async function recordHistory(deps: Deps, ref: RunRef, entry: Omit<HistoryEntry, 'at'>): Promise<void> {
  await deps.store.put({
    ...keys.runStep(ref.tenant_id, ref.run_id, deps.ids.next()),
    type: 'run_step',
    at: new Date(deps.clock.now()).toISOString(),
    ...entry,
    detail: entry.detail.slice(0, 2000),
  });
}

export function refOf(run: Item): RunRef {
  return {
    run_id: String(run.run_id),
    tenant_id: String(run.tenant_id),
    workflow: run.workflow as MachineId,
    initiator: run.initiator as EndpointId,
    correlation_id: String(run.correlation_id),
  };
}

export function toRunView(run: Item): RunView {
  return {
    run_id: String(run.run_id),
    workflow: run.workflow as MachineId,
    title: String(run.title),
    status: run.status as RunStatus,
    initiator: run.initiator as EndpointId,
    started_at: String(run.started_at),
    ended_at: (run.ended_at as string | null) ?? null,
    cause: (run.cause as string | null) ?? null,
    outcome: (run.outcome as string | null) ?? null,
    current_stage: (run.current_stage as string | null) ?? null,
    waiting_on: (run.waiting_on as EndpointId[] | undefined) ?? [],
    decision_id: (run.decision_id as string | null) ?? null,
  };
}

/** Every item of a run's collection: the run, its waits and its history. */
async function readRunCollection(deps: Deps, tenantId: string, runId: string): Promise<{ run: Item; waits: Item[]; steps: Item[] }> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.runPartition(tenantId, runId), limit: 200, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < 5000);
  const run = items.find((i) => i.sk === 'RUN');
  if (!run) throw new NotFoundError(`no workflow run ${runId}`);
  return {
    run,
    waits: items.filter((i) => String(i.sk).startsWith(keys.runWaitPrefix)),
    steps: items.filter((i) => String(i.sk).startsWith(keys.runStepPrefix)),
  };
}

/**
 * `workflow_status`: the run with its stages (pending, active or done, with
 * rounds), who it waits on, its open tasks and its history. A run the store
 * shows running is first checked against the engine (reconcileRun).
 */
export async function getRunStatus(deps: Deps, tenantId: string, runId: string, historyLimit = 100): Promise<RunStatusView> {
  let { run, waits, steps } = await readRunCollection(deps, tenantId, runId);
  if (run.status === 'running' && deps.clock.now() - Date.parse(String(run.started_at)) > 1000) {
    // The engine's view; 'unknown' when it cannot be asked (then nothing is reconciled).
    const engine = await deps.workflows.describe(run.workflow as MachineId, runId).catch((error: unknown) => {
      deps.log.warn('could not describe a workflow execution', { run_id: runId, error: String(error) });
      return 'unknown' as const;
    });
    // No execution a minute after the run was recorded: the engine never took it.
    const missing = engine === undefined && deps.clock.now() - Date.parse(String(run.started_at)) > 60_000 ? { status: 'FAILED', error: 'NotStarted', cause: 'the workflow engine has no execution for this run' } : undefined;
    const state = engine === 'unknown' ? undefined : (engine ?? missing);
    if (state && (await reconcileRun(deps, refOf(run), state))) ({ run, waits, steps } = await readRunCollection(deps, tenantId, runId));
  }
  const stages: StageView[] = STAGES[run.workflow as MachineId].map((stage) => {
    const mine = waits.filter((w) => w.stage === stage).sort((a, b) => String(a.opened_at).localeCompare(String(b.opened_at)));
    const last = mine[mine.length - 1];
    const active = last !== undefined && last.status === 'waiting';
    return {
      stage,
      status: last === undefined ? 'pending' : active ? 'active' : 'done',
      rounds: mine.length,
      assignees: [...new Set(mine.flatMap((w) => (w.tasks as { assignee: EndpointId }[]).map((t) => t.assignee)))],
      last_outcome: last && !active ? summarizeResolution(last.resolution) : null,
    };
  });
  const openTaskRefs = waits.filter((w) => w.status === 'waiting').flatMap((w) => w.tasks as { assignee: EndpointId; task_id: string }[]);
  const taskItems = openTaskRefs.length ? await deps.store.getMany(openTaskRefs.map((t) => keys.task(tenantId, t.assignee, t.task_id))) : [];
  const history = steps
    .map((s) => ({ at: String(s.at), event: s.event as HistoryEntry['event'], stage: (s.stage as string | null) ?? null, actor: (s.actor as EndpointId | null) ?? null, detail: String(s.detail) }))
    .slice(-historyLimit);
  return {
    ...toRunView(run),
    stages,
    open_tasks: taskItems
      .filter((t) => t.status === 'open')
      .map((t) => ({ task_id: String(t.task_id), assignee: t.assignee as EndpointId, title: String(t.title), due_at: (t.due_at as string | null) ?? null, reminders: Number(t.reminders ?? 0) })),
    history,
  };
}

function summarizeResolution(resolution: unknown): string | null {
  if (!resolution || typeof resolution !== 'object') return null;
  const r = resolution as Record<string, unknown>;
  if (typeof r.closed === 'string') return r.closed;
  if (typeof r.error === 'string') return r.error;
  const output = r.output as Record<string, unknown> | undefined;
  if (output && typeof output.outcome === 'string') return output.outcome;
  if (output && typeof output.status === 'string') return output.status;
  return null;
}

export interface ListRunsInput {
  readonly tenantId: string;
  readonly status?: RunStatus;
  readonly workflow?: MachineId;
  readonly limit: number;
  readonly cursor?: string;
}

/** `list_workflow_runs`: newest first, filtered by status and workflow, a page at a time. */
export async function listRuns(deps: Deps, input: ListRunsInput): Promise<{ runs: RunView[]; next_cursor: string | null }> {
  const matches = (item: Item) => (input.status === undefined || item.status === input.status) && (input.workflow === undefined || item.workflow === input.workflow);
  const found: Item[] = [];
  let cursor = input.cursor;
  let next: string | null = null;
  // Filters apply after reading: read pages until the page is full or the index is exhausted (at most 20 pages a call).
  scan: for (let pages = 0; pages < 20; pages++) {
    const page = await deps.store.query({ index: 'gsi1', pk: keys.runs(input.tenantId), descending: true, limit: 50, ...(cursor ? { cursor } : {}) });
    for (const [i, item] of page.items.entries()) {
      if (!matches(item)) continue;
      found.push(item);
      if (found.length === input.limit) {
        next = i < page.items.length - 1 || page.cursor ? encodeAfter(item) : null;
        break scan;
      }
    }
    cursor = page.cursor;
    next = cursor ?? null;
    if (!cursor) break;
  }
  // Index entries may lag: read the runs themselves.
  const runs = found.length ? await deps.store.getMany(found.map((item) => keys.run(input.tenantId, String(item.run_id)))) : [];
  const byId = new Map(runs.map((r) => [String(r.run_id), r]));
  return { runs: found.map((f) => byId.get(String(f.run_id)) ?? f).filter(matches).map(toRunView), next_cursor: next };
}

function encodeAfter(item: Item): string {
  return Buffer.from(JSON.stringify({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk })).toString('base64url');
}

export function envelope(ref: RunRef, at: string) {
  return { tenant_id: ref.tenant_id, correlation_id: ref.correlation_id, occurred_at: at };
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
