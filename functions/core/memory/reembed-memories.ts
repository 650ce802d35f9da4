import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { EMBED_BATCH, embedKeys } from './embedding-writes.js';
import { fromItem, hasVectorOf, type MemoryRecord } from './model.js';

export interface ReembedResult {
  /** Active memories read. */
  readonly scanned: number;
  /** Memories given a vector of the current model. */
  readonly embedded: number;
  /** Memories that already had one. */
  readonly current: number;
  /** Memories changed concurrently and left to their writer. */
  readonly skipped: number;
}

/**
 * Re-embeds every memory of a tenant whose vector is not of the current
 * model (after a model change: CONCLAVE_EMBEDDING_MODEL_ID or the local
 * model), and every pending one. Until then such memories are searched
 * lexically only: vectors of different models are never compared.
 * Idempotent and resumable: a second run finds nothing to do.
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
  let batch: string[] = [];
  const flush = async () => {
    const outcome = await embedKeys(deps, tenantId, batch, needs);
    embedded += outcome.embedded;
    skipped += outcome.skipped;
    batch = [];
    options.onProgress?.({ scanned, embedded, current, skipped });
  };
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.memories(tenantId), skPrefix: keys.memoryPrefix, ...(cursor ? { cursor } : {}) });
    for (const record of page.items.map(fromItem)) {
      if (record.state !== 'active') continue;
      scanned++;
      if (!needs(record)) {
        current++;
        continue;
      }
      batch.push(record.key);
      if (batch.length >= EMBED_BATCH) await flush();
    }
    cursor = page.cursor;
  } while (cursor);
  if (batch.length > 0) await flush();
  return { scanned, embedded, current, skipped };
}
