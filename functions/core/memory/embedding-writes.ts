import type { Deps } from '../context.js';
import { ConflictError } from '../errors.js';
import { updateRecord } from '../versioned.js';
import { keys } from '../keys.js';
import { countChange, indexRecords, markUnindexed } from './search-index.js';
import { embeddingText, fromItem, memoryCodec, type MemoryRecord } from './model.js';
import { encodeVector } from './vectors.js';

/** Texts embedded per embedder call by the retry and re-embed paths. */
export const EMBED_BATCH = 16;

export interface EmbedOutcome {
  /** Memories that received a vector of the current model. */
  readonly embedded: number;
  /** Memories changed by someone else meanwhile (their writer embedded them, or they stay pending). */
  readonly skipped: number;
  /** Keys of the memories given a vector. */
  readonly written: readonly string[];
  /** Those of them also put into the search indexes (the others stay marked for the retry path). */
  readonly indexed: readonly string[];
}

/**
 * Gives the named memories a vector of the current model, if `needs` still
 * holds for their stored version: reads them (strongly), embeds them in one
 * call, writes each with a version condition, then indexes what it wrote.
 * Rejects (writing nothing) when the embedder fails.
 */
export async function embedKeys(
  deps: Deps,
  tenantId: string,
  memoryKeys: readonly string[],
  needs: (record: MemoryRecord) => boolean,
): Promise<EmbedOutcome> {
  if (memoryKeys.length === 0) return { embedded: 0, skipped: 0, written: [], indexed: [] };
  const items = await deps.store.getMany(memoryKeys.map((k) => keys.memory(tenantId, k)));
  const todo = items.map(fromItem).filter((r) => r.state === 'active' && needs(r));
  if (todo.length === 0) return { embedded: 0, skipped: memoryKeys.length, written: [], indexed: [] };
  const { modelId, dimensions } = deps.embedder;
  const vectors = await deps.embedder.embed(todo.map((r) => embeddingText(r.key, r.content)));
  const written: MemoryRecord[] = [];
  for (const [i, record] of todo.entries()) {
    const vector = vectors[i];
    if (!vector || vector.length !== dimensions) continue;
    const stored: MemoryRecord = { ...record, embedding: 'ready', vector: { model: modelId, dims: dimensions, bytes: encodeVector(vector) } };
    // Only onto the text that was embedded: a memory rewritten or forgotten meanwhile keeps its own state (and is embedded on its own).
    let before: MemoryRecord | undefined;
    const updated = await updateRecord(
      deps.store,
      keys.memory(tenantId, record.key),
      memoryCodec(tenantId, deps.clock.now()),
      async (current) => {
        if (current.state !== 'active' || current.content !== record.content || !needs(current)) return undefined;
        before = current;
        const next: MemoryRecord = { ...current, version: current.version + 1, embedding: stored.embedding, ...(stored.vector ? { vector: stored.vector } : {}) };
        await markUnindexed(deps, tenantId, next.key, next.version);
        return next;
      },
      { attempts: 3, what: `memory "${record.key}"` },
    ).catch((error: unknown) => {
      if (error instanceof ConflictError) return undefined;
      throw error;
    });
    if (!updated?.changed || !before) continue;
    written.push(updated.record);
    await countChange(deps, tenantId, before, updated.record);
  }
  const indexed = await indexRecords(deps, tenantId, written);
  return { embedded: written.length, skipped: memoryKeys.length - written.length, written: written.map((r) => r.key), indexed };
}
