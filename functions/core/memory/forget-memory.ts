import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { updateRecord } from '../versioned.js';
import { keys } from '../keys.js';
import { countChange, indexRecords, markUnindexed } from './search-index.js';
import { keepPreviousVersion } from './history.js';
import { assertMayEdit } from './ownership.js';
import { conflictBackoff, memoryCodec, validateKey, type MemoryRecord } from './model.js';

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
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const seen: { existing?: MemoryRecord } = {};
  // Only over the version read (else: re-read, re-check, retry after a short random pause).
  const written = await updateRecord(
    deps.store,
    itemKey,
    memoryCodec(input.tenantId, now),
    async (existing) => {
      if (existing.state !== 'active') throw new NotFoundError(`no memory with key "${key}"`);
      await assertMayEdit(deps, input.tenantId, existing, { role: input.by, ...(input.principal ? { principal: input.principal } : {}) }, 'forget');
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
      await keepPreviousVersion(deps, input.tenantId, existing);
      seen.existing = existing;
      return tombstone;
    },
    { attempts: ATTEMPTS, what: `memory "${key}"`, backoff: conflictBackoff },
  );
  const existing = seen.existing;
  if (!written || !existing) throw new NotFoundError(`no memory with key "${key}"`);
  const tombstone = written.record;
  {
    // The tombstone is the truth from here on; the vector and postings go now (or through the retry path).
    await countChange(deps, input.tenantId, existing, tombstone);
    await indexRecords(deps, input.tenantId, [tombstone]);
    await deps.bus.publish([
      buildEvent('Memory.Forgotten.v1', { tenant_id: input.tenantId, correlation_id: ctx.correlationId, occurred_at: at, key, author: input.by }),
    ]);
    return { key, forgotten: true, version: tombstone.version };
  }
}
