import type { Deps } from '../context.js';
import { TaskTokenError } from '../errors.js';
import { keys } from '../keys.js';
import { updateRecord } from '../versioned.js';
import { waitCodec, type Resolution, type WaitRecord } from './records.js';

/**
 * The wait record: a Task state waiting on roles or a decision holds one, with
 * the task token, how it resolves and how it was resolved. Resolving is a
 * conditional write (once); the resolution is then delivered with the token.
 */

export type Delivery = 'delivered' | 'stale' | 'none';
export type WaitKey = { readonly pk: string; readonly sk: string };

export function waitKeyOf(tenantId: string, runId: string, waitId: string): WaitKey {
  return keys.runWait(tenantId, runId, waitId);
}

export async function loadWait(deps: Deps, key: WaitKey): Promise<WaitRecord | undefined> {
  const item = await deps.store.get(key);
  return item && waitCodec.decode(item);
}

/** Resolves a waiting wait once (a conditional write) and delivers the resolution; 'already' if someone resolved it first. */
export async function resolveWait(deps: Deps, key: WaitKey, resolution: Resolution): Promise<Delivery | 'already'> {
  const at = new Date(deps.clock.now()).toISOString();
  const updated = await updateRecord(deps.store, key, waitCodec, (w) => (w.status !== 'waiting' ? undefined : { ...w, status: 'resolved' as const, resolution, resolved_at: at }), {
    what: `wait ${key.sk}`,
  });
  if (!updated?.changed) return 'already';
  return deliverResolution(deps, updated.record, updated.record.token);
}

/** Sends a resolved wait's resolution with `token`. A refused token means the run moved on without it ('stale'). */
export async function deliverResolution(deps: Deps, wait: WaitRecord, token: string): Promise<Delivery> {
  const resolution = wait.resolution;
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

/** Every wait of a run. */
export async function runWaits(deps: Deps, tenantId: string, runId: string): Promise<WaitRecord[]> {
  const waits: WaitRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.runPartition(tenantId, runId), skPrefix: keys.runWaitPrefix, limit: 100, ...(cursor ? { cursor } : {}) });
    waits.push(...page.items.map((i) => waitCodec.decode(i)));
    cursor = page.cursor;
  } while (cursor);
  return waits;
}
