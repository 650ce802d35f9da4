import { STAGES, type MachineId, type RunStatus } from '../../contracts/workflows.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { NotFoundError } from '../errors.js';
import { keys } from '../keys.js';
import type { RunStatusView, RunView, StageView, WaitingFor } from './model.js';
import { getDecision } from '../decisions/decisions.js';
import { CLOSED } from '../decisions/model.js';
import { runCodec, taskCodec, waitCodec, type RunRecord, type WaitRecord } from './records.js';
import { historyCodec, refOf, toRunView } from './run-record.js';
import { reconcileRun } from './runs.js';

/** What `workflow_status` and `list_workflow_runs` show of runs. */

/** Every item of a run's collection: the run, its waits and its history. */
async function readRunCollection(deps: Deps, tenantId: string, runId: string): Promise<{ run: RunRecord; waits: WaitRecord[]; steps: Item[] }> {
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
    run: runCodec.decode(run),
    waits: items.filter((i) => i.sk.startsWith(keys.runWaitPrefix)).map((i) => waitCodec.decode(i)),
    steps: items.filter((i) => i.sk.startsWith(keys.runStepPrefix)),
  };
}

/**
 * `workflow_status`: the run with its stages (pending, active or done, with
 * rounds), who it waits on (open tasks' assignees and the pending voters or
 * ruler of a decision it waits on, each with why), its open tasks and its
 * history. A run the store shows running is first checked against the engine
 * (reconcileRun).
 */
export async function getRunStatus(deps: Deps, tenantId: string, runId: string, historyLimit = 100): Promise<RunStatusView> {
  let { run, waits, steps } = await readRunCollection(deps, tenantId, runId);
  if (run.status === 'running' && deps.clock.now() - Date.parse(run.started_at) > 1000) {
    // The engine's view; 'unknown' when it cannot be asked (then nothing is reconciled).
    const engine = await deps.workflows.describe(run.workflow, runId).catch((error: unknown) => {
      deps.log.warn('could not describe a workflow execution', { run_id: runId, error: String(error) });
      return 'unknown' as const;
    });
    // No execution a minute after the run was recorded: the engine never took it.
    const missing = engine === undefined && deps.clock.now() - Date.parse(run.started_at) > 60_000 ? { status: 'FAILED', error: 'NotStarted', cause: 'the workflow engine has no execution for this run' } : undefined;
    const state = engine === 'unknown' ? undefined : (engine ?? missing);
    if (state && (await reconcileRun(deps, refOf(run), state))) ({ run, waits, steps } = await readRunCollection(deps, tenantId, runId));
  }
  const stages: StageView[] = STAGES[run.workflow].map((stage) => {
    const mine = waits.filter((w) => w.stage === stage).sort((a, b) => a.opened_at.localeCompare(b.opened_at));
    const last = mine[mine.length - 1];
    const active = last !== undefined && last.status === 'waiting';
    return {
      stage,
      status: last === undefined ? 'pending' : active ? 'active' : 'done',
      rounds: mine.length,
      assignees: [...new Set(mine.flatMap((w) => w.tasks.map((t) => t.assignee)))],
      last_outcome: last && !active ? summarizeResolution(last.resolution) : null,
    };
  });
  const waiting = waits.filter((w) => w.status === 'waiting');
  const openTaskRefs = waiting.flatMap((w) => w.tasks);
  const taskItems = openTaskRefs.length ? await deps.store.getMany(openTaskRefs.map((t) => keys.task(tenantId, t.assignee, t.task_id))) : [];
  const openTasks = taskItems.map((i) => taskCodec.decode(i)).filter((t) => t.status === 'open');
  const waitingFor: WaitingFor[] = openTasks.map((t) => ({ role: t.assignee, why: 'task', task_id: t.task_id, decision_id: t.decision_id, stage: t.stage }));
  if (run.status === 'running') {
    const decisionIds = new Set([...waiting.map((w) => w.decision_id).filter((d): d is string => d !== null), ...(run.decision_id && run.workflow === 'collaborative_decision' ? [run.decision_id] : [])]);
    for (const decisionId of decisionIds) {
      const decision = await getDecision(deps, tenantId, decisionId).catch(() => undefined);
      if (!decision || CLOSED.includes(decision.status)) continue;
      const stage = waiting.find((w) => w.decision_id === decisionId)?.stage ?? run.current_stage;
      if (decision.status === 'pending' && decision.mode === 'collaborative') {
        const voted = new Set(decision.votes.map((v) => v.voter));
        for (const voter of decision.participants.filter((p) => !voted.has(p))) {
          if (!waitingFor.some((w) => w.role === voter && w.decision_id === decisionId)) waitingFor.push({ role: voter, why: 'vote', task_id: null, decision_id: decisionId, stage });
        }
      } else if (decision.awaiting && !waitingFor.some((w) => w.role === decision.awaiting && w.decision_id === decisionId)) {
        waitingFor.push({ role: decision.awaiting, why: 'ruling', task_id: null, decision_id: decisionId, stage });
      }
    }
  }
  const history = steps
    .map((s) => historyCodec(run.tenant_id, run.run_id).decode(s))
    .slice(-historyLimit);
  return {
    ...toRunView(run),
    waiting_on: [...new Set(waitingFor.map((w) => w.role))],
    waiting_for: waitingFor,
    stages,
    open_tasks: openTasks.map((t) => ({ task_id: t.task_id, assignee: t.assignee, title: t.title, stage: t.stage, due_at: t.due_at, reminders: t.reminders })),
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
  const matches = (run: RunRecord) => (input.status === undefined || run.status === input.status) && (input.workflow === undefined || run.workflow === input.workflow);
  const found: Item[] = [];
  let cursor = input.cursor;
  let next: string | null = null;
  // Filters apply after reading: read pages until the page is full or the index is exhausted (at most 20 pages a call).
  scan: for (let pages = 0; pages < 20; pages++) {
    const page = await deps.store.query({ index: 'gsi1', pk: keys.runs(input.tenantId), descending: true, limit: 50, ...(cursor ? { cursor } : {}) });
    for (const [i, item] of page.items.entries()) {
      if (!matches(runCodec.decode(item))) continue;
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
  const listed = found.map((item) => runCodec.decode(item));
  const runs = listed.length ? (await deps.store.getMany(listed.map((r) => keys.run(input.tenantId, r.run_id)))).map((i) => runCodec.decode(i)) : [];
  const byId = new Map(runs.map((r) => [r.run_id, r]));
  return { runs: listed.map((r) => byId.get(r.run_id) ?? r).filter(matches).map(toRunView), next_cursor: next };
}

function encodeAfter(item: Item): string {
  return Buffer.from(JSON.stringify({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk })).toString('base64url');
}


