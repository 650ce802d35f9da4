import type { Deps } from '../context.js';
import { PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { bumpRevision, noteLocalWrite } from './memory-index.js';
import { embeddingText, fromItem, toItem, type MemoryRecord } from './model.js';
import { encodeVector } from './vectors.js';

/** Texts embedded per embedder call by the retry and re-embed paths. */
export const EMBED_BATCH = 16;

export interface EmbedOutcome {
  /** Memories that received a vector of the current model. */
  readonly embedded: number;
  /** Memories changed by someone else meanwhile (their writer embedded them, or they stay pending). */
  readonly skipped: number;
}

/**
 * Gives the named memories a vector of the current model, if `needs` still
 * holds for their stored version: reads them (strongly), embeds them in one
 * call, writes each with a version condition, then bumps the revision once.
 * Rejects (writing nothing) when the embedder fails.
 */
export async function embedKeys(
  deps: Deps,
  tenantId: string,
  memoryKeys: readonly string[],
  needs: (record: MemoryRecord) => boolean,
): Promise<EmbedOutcome> {
  if (memoryKeys.length === 0) return { embedded: 0, skipped: 0 };
  const items = await deps.store.getMany(memoryKeys.map((k) => keys.memory(tenantId, k)));
  const todo = items.map(fromItem).filter((r) => r.state === 'active' && needs(r));
  if (todo.length === 0) return { embedded: 0, skipped: memoryKeys.length };
  const { modelId, dimensions } = deps.embedder;
  const vectors = await deps.embedder.embed(todo.map((r) => embeddingText(r.key, r.content)));
  const written: MemoryRecord[] = [];
  for (const [i, record] of todo.entries()) {
    const vector = vectors[i];
    if (!vector || vector.length !== dimensions) continue;
    const next: MemoryRecord = {
      ...record,
      version: record.version + 1,
      embedding: 'ready',
      vector: { model: modelId, dims: dimensions, bytes: encodeVector(vector) },
    };
    try {
      await deps.store.put(toItem(tenantId, next, deps.clock.now()), { kind: 'version', version: record.version });
      written.push(next);
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  if (written.length > 0) {
    const revision = await bumpRevision(deps, tenantId, written.length);
    noteLocalWrite(deps, tenantId, written, revision, written.length);
  }
  return { embedded: written.length, skipped: memoryKeys.length - written.length };
}
