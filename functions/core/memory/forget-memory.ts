import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { countChange, indexRecords, markUnindexed } from './search-index.js';
import { conflictBackoff, fromItem, toItem, validateKey, type MemoryRecord } from './model.js';

const ATTEMPTS = 12;

/**
 * Forgets a memory of the tenant: its content, tags, metadata and vector are
 * deleted, leaving a tombstone (key and version), and its vector and
 * postings are deleted from the search indexes (search-index.ts). It is never returned by a search
 * afterwards. Storing the key again starts a new memory. Publishes Memory.Forgotten.v1.
 */
export async function forgetMemory(deps: Deps, ctx: RequestContext, input: { tenantId: string; key: string; by: EndpointId }): Promise<{ key: string; forgotten: true }> {
  const key = validateKey(input.key);
  const itemKey = keys.memory(input.tenantId, key);
  for (let attempt = 1; ; attempt++) {
    const item = await deps.store.get(itemKey);
    const existing = item ? fromItem(item) : undefined;
    if (!existing || existing.state !== 'active') throw new NotFoundError(`no memory with key "${key}"`);
    const now = deps.clock.now();
    const at = new Date(now).toISOString();
    const { vector: _dropped, ...kept } = existing;
    const tombstone: MemoryRecord = {
      ...kept,
      state: 'forgotten',
      version: existing.version + 1,
      content: '',
      tags: [],
      metadata: {},
      author: input.by,
      updatedAt: at,
      embedding: 'pending',
    };
    await markUnindexed(deps, input.tenantId, key, tombstone.version);
    try {
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
    return { key, forgotten: true };
  }
}
