import type { Deps } from '../context.js';
import { EMBED_BATCH, embedKeys } from './embedding-writes.js';
import { reindexKeys, unindexedKeys } from './search-index.js';

export interface EmbedPendingResult {
  readonly embedded: number;
  readonly skipped: number;
  /** Memories still marked afterwards (counted up to 1,000). */
  readonly remaining: number;
}

/** How far `remaining` counts. */
const COUNT_LIMIT = 1_000;

/**
 * The retry path for memories whose vector or index entries are behind the
 * table (search-index.ts): memories stored while the embedder was failing
 * (`embedding: pending`) get a vector of the current model, and every
 * marked memory is re-read and re-indexed. Search runs it opportunistically
 * (a small batch, once the query itself embedded fine);
 * `npm run memory -- embed-pending` runs it to the end. Rejects when the
 * embedder still fails; the memories stay pending and searchable lexically.
 */
export async function embedPending(deps: Deps, tenantId: string, options: { limit?: number } = {}): Promise<EmbedPendingResult> {
  const limit = options.limit ?? Infinity;
  let embedded = 0;
  let skipped = 0;
  let done = 0;
  const seen = new Set<string>();
  while (done < limit) {
    const batch = (await unindexedKeys(deps, tenantId, Math.min(EMBED_BATCH, limit - done) + seen.size)).filter((k) => !seen.has(k));
    if (batch.length === 0) break;
    const outcome = await embedKeys(deps, tenantId, batch, (r) => r.embedding === 'pending');
    embedded += outcome.embedded;
    skipped += outcome.skipped;
    const written = new Set(outcome.written);
    await reindexKeys(deps, tenantId, batch.filter((k) => !written.has(k)));
    for (const k of batch) seen.add(k);
    done += batch.length;
  }
  return { embedded, skipped, remaining: (await unindexedKeys(deps, tenantId, COUNT_LIMIT)).length };
}
