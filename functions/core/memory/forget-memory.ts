import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { countChange, indexRecords, markUnindexed } from './search-index.js';
import { keepPreviousVersion } from './history.js';
import { assertMayEdit } from './ownership.js';
import { conflictBackoff, fromItem, toItem, validateKey, type MemoryRecord } from './model.js';

const ATTEMPTS = 12;

/**
 * Forgets a memory of the tenant: its content, tags, metadata and vector are
 * deleted, leaving a tombstone (key and version) so that every process's
 * search index drops it (memory-index.ts). It is never returned by a search
 * afterwards; its last version stays in the key's history (restore_memory).
 * Storing the key again starts a new memory. Forgetting is the owner's, its
 * superiors' and the board's (ownership.ts). Publishes Memory.Forgotten.v1.
 */
export async function forgetMemory(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; key: string; by: EndpointId; principal?: string },
): Promise<{ key: string; forgotten: true; version: number }> {
  const key = validateKey(input.key);
  const itemKey = keys.memory(input.tenantId, key);
  for (let attempt = 1; ; attempt++) {
    const item = await deps.store.get(itemKey);
    const existing = item ? fromItem(item) : undefined;
    if (!existing || existing.state !== 'active') throw new NotFoundError(`no memory with key "${key}"`);
    await assertMayEdit(deps, input.tenantId, existing, { role: input.by, ...(input.principal ? { principal: input.principal } : {}) }, 'forget');
    const now = deps.clock.now();
    const at = new Date(now).toISOString();
    const { vector: _dropped, authorPrincipal: _previousPrincipal, ...kept } = existing;
    const tombstone: MemoryRecord = {
      ...kept,
      state: 'forgotten',
      version: existing.version + 1,
      content: '',
      tags: [],
      metadata: {},
      author: input.by,
      ...(input.principal ? { authorPrincipal: input.principal } : {}),
      updatedAt: at,
      embedding: 'pending',
    };
    await markUnindexed(deps, input.tenantId, key, tombstone.version);
    try {
      await keepPreviousVersion(deps, input.tenantId, existing);
      await deps.store.put(toItem(input.tenantId, tombstone, now), { kind: 'version', version: existing.version });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      if (attempt >= ATTEMPTS) throw new ConflictError(`memory "${key}" is being written concurrently; try again`, { cause: error });
      await conflictBackoff(attempt);
      continue;
    }
    // The tombstone is the truth from here on; the vector and postings go now (or through the retry path).
    await countChange(deps, input.tenantId, existing, tombstone);
    await indexRecords(deps, input.tenantId, [tombstone]);
    await deps.bus.publish([
      buildEvent('Memory.Forgotten.v1', { tenant_id: input.tenantId, correlation_id: ctx.correlationId, occurred_at: at, key, author: input.by }),
    ]);
    return { key, forgotten: true, version: tombstone.version };
  }
}
