import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { EMBED_BATCH, embedKeys } from './embedding-writes.js';
import { fromItem, hasVectorOf, type MemoryRecord } from './model.js';
import { indexRecords, markUnindexed } from './search-index.js';

export interface ReembedResult {
  /** Active memories read. */
  readonly scanned: number;
  /** Memories given a vector of the current model. */
  readonly embedded: number;
  /** Memories that already had one. */
  readonly current: number;
  /** Memories changed concurrently and left to their writer. */
  readonly skipped: number;
  /** Memories (and tombstones) whose index entries were rewritten from the table. */
  readonly reindexed: number;
}

/** Records re-put into the search indexes per call. */
const REINDEX_BATCH = 100;

/**
 * Re-embeds every memory of a tenant whose vector is not of the current
 * model (after a model change: CONCLAVE_EMBEDDING_MODEL_ID or the local
 * model), and every pending one. Until then such memories are searched
 * lexically only: vectors of different models are never compared.
 * It also rebuilds the search indexes (search-index.ts) from the table: every
 * memory's vector and postings are put again and every tombstone's deleted,
 * so a new or emptied vector index is filled by one run.
 * Idempotent and resumable: a second run embeds nothing.
 * Run by `npm run memory -- reembed --tenant <id>`.
 */
export async function reembedMemories(
  deps: Deps,
  tenantId: string,
  options: { onProgress?: (progress: ReembedResult) => void } = {},
): Promise<ReembedResult> {
  const { modelId, dimensions } = deps.embedder;
  const needs = (r: MemoryRecord) => !hasVectorOf(r, modelId, dimensions);
  let scanned = 0;
  let embedded = 0;
  let current = 0;
  let skipped = 0;
  let reindexed = 0;
  let batch: string[] = [];
  let rebuild: MemoryRecord[] = [];
  const flush = async () => {
    const outcome = await embedKeys(deps, tenantId, batch, needs);
    embedded += outcome.embedded;
    skipped += outcome.skipped;
    reindexed += outcome.indexed.length;
    batch = [];
    options.onProgress?.({ scanned, embedded, current, skipped, reindexed });
  };
  const reindex = async () => {
    const done = new Set(await indexRecords(deps, tenantId, rebuild));
    reindexed += done.size;
    // Not indexed here (the index is another process's, or failed): marked for the retry path.
    for (const r of rebuild) if (!done.has(r.key)) await markUnindexed(deps, tenantId, r.key, r.version);
    rebuild = [];
  };
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.memories(tenantId), skPrefix: keys.memoryPrefix, ...(cursor ? { cursor } : {}) });
    for (const record of page.items.map(fromItem)) {
      if (record.state !== 'active' || !needs(record)) {
        if (record.state === 'active') {
          scanned++;
          current++;
        }
        rebuild.push(record);
        if (rebuild.length >= REINDEX_BATCH) await reindex();
        continue;
      }
      scanned++;
      batch.push(record.key);
      if (batch.length >= EMBED_BATCH) await flush();
    }
    cursor = page.cursor;
  } while (cursor);
  if (batch.length > 0) await flush();
  if (rebuild.length > 0) await reindex();
  return { scanned, embedded, current, skipped, reindexed };
}
