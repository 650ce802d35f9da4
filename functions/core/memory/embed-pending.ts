import type { Deps } from '../context.js';
import { EMBED_BATCH, embedKeys } from './embedding-writes.js';
import { memoryIndex } from './memory-index.js';

export interface EmbedPendingResult {
  readonly embedded: number;
  readonly skipped: number;
  /** Memories still pending afterwards (in this process's view). */
  readonly remaining: number;
}

/**
 * The retry path for memories stored while the embedder was failing
 * (`embedding: pending`): embeds up to `limit` of them with the current
 * model. Search runs it opportunistically (a small batch, once the query
 * itself embedded fine); `npm run memory -- embed-pending` runs it to the end.
 * Rejects when the embedder still fails; the memories stay pending and
 * searchable lexically.
 */
export async function embedPending(deps: Deps, tenantId: string, options: { limit?: number } = {}): Promise<EmbedPendingResult> {
  const index = await memoryIndex(deps, tenantId);
  const pending = index.pendingKeys(options.limit ?? Infinity);
  let embedded = 0;
  let skipped = 0;
  for (let i = 0; i < pending.length; i += EMBED_BATCH) {
    const outcome = await embedKeys(deps, tenantId, pending.slice(i, i + EMBED_BATCH), (r) => r.embedding === 'pending');
    embedded += outcome.embedded;
    skipped += outcome.skipped;
  }
  return { embedded, skipped, remaining: index.pendingKeys().length };
}
