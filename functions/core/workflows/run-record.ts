import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { NotFoundError } from '../errors.js';
import { keys } from '../keys.js';
import { field, updateRecord, type Codec } from '../versioned.js';
import type { HistoryEntry, RunRef, RunView } from './model.js';
import { runCodec, type RunRecord } from './records.js';

/** The run record: reading it, changing it (versioned), its history lines, and how it is shown. */

export async function loadRun(deps: Deps, tenantId: string, runId: string): Promise<RunRecord> {
  const item = await deps.store.get(keys.run(tenantId, runId));
  if (!item) throw new NotFoundError(`no workflow run ${runId}`);
  return runCodec.decode(item);
}

/** Applies `mutate` to the run with optimistic concurrency; `undefined` from `mutate` means "no change" (then undefined is returned). */
export async function updateRun(deps: Deps, tenantId: string, runId: string, mutate: (run: RunRecord) => RunRecord | undefined): Promise<RunRecord | undefined> {
  const updated = await updateRecord(deps.store, keys.run(tenantId, runId), runCodec, mutate, { what: `workflow run ${runId}` });
  if (!updated) throw new NotFoundError(`no workflow run ${runId}`);
  return updated.changed ? updated.record : undefined;
}

/** Appends a line to the run's history (time-ordered). */
export async function recordHistory(deps: Deps, ref: RunRef, entry: Omit<HistoryEntry, 'at'>): Promise<void> {
  const step: HistoryEntry = { at: new Date(deps.clock.now()).toISOString(), ...entry, detail: entry.detail.slice(0, 2000) };
  await deps.store.put(historyCodec(ref.tenant_id, ref.run_id, deps.ids.next()).encode(step));
}

const HISTORY_EVENTS: readonly HistoryEntry['event'][] = ['started', 'stage_opened', 'task_completed', 'reminder', 'resolved', 'ended'];

/** One step of a run's history (its items carry no ids: the key does, so the codec is made for one step; decoding needs none). */
export function historyCodec(tenantId: string, runId: string, stepId = ''): Codec<HistoryEntry> {
  return {
    decode: (i) => ({
      at: field.str(i, 'at'),
      event: field.oneOf(i, 'event', 'started', HISTORY_EVENTS),
      stage: field.strOrNull(i, 'stage'),
      actor: field.strOrNull(i, 'actor') as EndpointId | null,
      detail: field.str(i, 'detail'),
    }),
    encode: (h) => ({ ...keys.runStep(tenantId, runId, stepId), type: 'run_step', ...h }),
  };
}

export function refOf(run: RunRecord): RunRef {
  return { run_id: run.run_id, tenant_id: run.tenant_id, workflow: run.workflow, initiator: run.initiator, correlation_id: run.correlation_id };
}

export function toRunView(run: RunRecord): RunView {
  return {
    run_id: run.run_id,
    workflow: run.workflow,
    title: run.title,
    status: run.status,
    initiator: run.initiator,
    started_at: run.started_at,
    ended_at: run.ended_at,
    cause: run.cause,
    outcome: run.outcome,
    current_stage: run.current_stage,
    waiting_on: run.waiting_on as EndpointId[],
    decision_id: run.decision_id,
    subject: run.subject,
  };
}

export function envelope(ref: RunRef, at: string) {
  return { tenant_id: ref.tenant_id, correlation_id: ref.correlation_id, occurred_at: at };
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
