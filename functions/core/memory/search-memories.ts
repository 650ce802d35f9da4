import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { embedPending } from './embed-pending.js';
import { memoryIndex, type Ranked, type TenantMemoryIndex } from './memory-index.js';
import { fromItem, normalizeTags } from './model.js';
import type { RankingMode } from './ranking.js';

export const SEARCH_LIMITS = { queryChars: 2_000, maxResults: 50, defaultResults: 10 } as const;
/** Pending memories embedded along the way by one search, once the embedder answers again. */
const OPPORTUNISTIC_BATCH = 8;
/** Extra candidates re-read with the results, so a result dropped as forgotten can be replaced. */
const SPARE = 5;

export interface SearchMemoriesInput {
  readonly tenantId: string;
  readonly query: string;
  /** Only memories carrying every one of these tags. */
  readonly tags?: readonly string[];
  readonly limit?: number;
  /** Drop results scoring below this (0..1). */
  readonly minScore?: number;
  /** `hybrid` unless measuring (bench/memory.ts compares the three). */
  readonly ranking?: RankingMode;
}

export interface SearchHit {
  readonly key: string;
  readonly content: string;
  readonly tags: string[];
  readonly score: number;
  /** Cosine similarity with the query; null when not compared (the memory has no vector of the current model yet, or the query could not be embedded). */
  readonly semantic_score: number | null;
  /** BM25 relative to the query's best lexical match (0..1). */
  readonly lexical_score: number;
  readonly author: EndpointId;
  readonly updated_at: string;
  readonly metadata: Record<string, unknown>;
}

export interface SearchMemoriesResult {
  readonly results: SearchHit[];
  /** How the results were ranked: `lexical` when the query could not be embedded. */
  readonly mode: RankingMode;
  /** Memories of the tenant searched lexically only (pending, or embedded by another model). */
  readonly unembedded: number;
}

/**
 * Searches a tenant's memories by meaning and by words (functions/core/memory/ranking.ts),
 * within the tenant only. Works from the process's index of the tenant
 * (memory-index.ts) and re-reads the results strongly before returning
 * them: what is returned exists now, with its current content. If the query
 * cannot be embedded, the search is lexical and says so (`mode`).
 */
export async function searchMemories(deps: Deps, input: SearchMemoriesInput): Promise<SearchMemoriesResult> {
  const query = input.query.trim();
  if (query.length === 0 || query.length > SEARCH_LIMITS.queryChars) throw new ValidationError(`query must be 1 to ${SEARCH_LIMITS.queryChars} characters`);
  const limit = input.limit ?? SEARCH_LIMITS.defaultResults;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.maxResults) throw new ValidationError(`limit must be 1 to ${SEARCH_LIMITS.maxResults}`);
  const minScore = input.minScore ?? 0;
  if (!(minScore >= 0 && minScore <= 1)) throw new ValidationError('min_score must be between 0 and 1');
  const tags = normalizeTags(input.tags ?? []);
  const { modelId, dimensions } = deps.embedder;

  let index = await memoryIndex(deps, input.tenantId);
  let vector: Float32Array | undefined;
  if (input.ranking !== 'lexical') {
    try {
      [vector] = await deps.embedder.embed([query]);
    } catch (error) {
      deps.log.warn('query not embedded; searching memories lexically', { model: modelId, error: String(error) });
    }
  }
  if (vector && index.pendingKeys(1).length > 0) {
    try {
      await embedPending(deps, input.tenantId, { limit: OPPORTUNISTIC_BATCH });
      index = await memoryIndex(deps, input.tenantId);
    } catch (error) {
      deps.log.warn('pending memories not embedded yet', { model: modelId, error: String(error) });
    }
  }
  const mode: RankingMode = vector ? (input.ranking ?? 'hybrid') : 'lexical';
  const ranked = index.rank({ text: query, ...(vector ? { vector } : {}), model: modelId, dims: dimensions, tags, mode, minScore, limit: limit + SPARE });
  return { results: await current(deps, input.tenantId, index, ranked, tags, limit), mode, unembedded: index.unembedded(modelId, dimensions) };
}

/** The ranked memories as stored now (one strongly consistent batch read): forgotten ones dropped, changed ones current. */
async function current(
  deps: Deps,
  tenantId: string,
  index: TenantMemoryIndex,
  ranked: readonly Ranked[],
  tags: readonly string[],
  limit: number,
): Promise<SearchHit[]> {
  if (ranked.length === 0) return [];
  const stored = new Map((await deps.store.getMany(ranked.map((r) => keys.memory(tenantId, r.record.key)))).map((item) => [String(item.key), fromItem(item)]));
  const hits: SearchHit[] = [];
  for (const { record: indexed, score, semantic, lexical } of ranked) {
    const record = stored.get(indexed.key);
    // What was read is at least as new as what the index holds: teach the index.
    if (record) index.apply(record);
    if (!record || record.state !== 'active' || !tags.every((t) => record.tags.includes(t))) continue;
    hits.push({
      key: record.key,
      content: record.content,
      tags: [...record.tags],
      score: round(score),
      semantic_score: semantic === null ? null : round(semantic),
      lexical_score: round(lexical),
      author: record.author,
      updated_at: record.updatedAt,
      metadata: { ...record.metadata },
    });
    if (hits.length === limit) break;
  }
  return hits;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
