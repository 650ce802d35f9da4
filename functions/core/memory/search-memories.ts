import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { embedPending } from './embed-pending.js';
import { idf, termScore, tokenize } from './lexical.js';
import { fromItem, hasVectorOf, normalizeTags, type MemoryRecord } from './model.js';
import { fuse, type RankingMode } from './ranking.js';
import { modelTag, termCounts, unembeddedCount, unindexedKeys } from './search-index.js';
import { cosine, decodeVector } from './vectors.js';
import type { LexicalStats } from '../../ports/lexical-index.js';

export const SEARCH_LIMITS = { queryChars: 2_000, maxResults: 50, defaultResults: 10 } as const;
/** Pending memories embedded along the way by one search, once the embedder answers again. */
const OPPORTUNISTIC_BATCH = 8;
/**
 * Candidates each index proposes: at least this many, and this many times the
 * results asked for (more when filtering by tags, which happens after the
 * re-read). Both halves are re-read and scored exactly, so a memory strong
 * in either half is compared on the full fused score.
 */
const CANDIDATES = { min: 20, perResult: 2, withTags: 100 } as const;

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
  /** Memories of the tenant searched lexically only (pending, or embedded by another model), from the tenant's counters. */
  readonly unembedded: number;
}

/**
 * Searches a tenant's memories by meaning and by words (functions/core/memory/ranking.ts),
 * within the tenant only. Candidates come from the two indexes (Deps.vectors:
 * nearest vectors of the current model; Deps.lexicon: best BM25 matches),
 * are re-read strongly from the table, and are scored exactly from what is
 * stored now: cosine with the stored vector, BM25 with the lexical index's
 * statistics. So what is returned exists now, with its current content,
 * whatever the indexes' lag. If the query cannot be embedded, the search is
 * lexical and says so (`mode`).
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

  let vector: Float32Array | undefined;
  if (input.ranking !== 'lexical') {
    try {
      [vector] = await deps.embedder.embed([query]);
    } catch (error) {
      deps.log.warn('query not embedded; searching memories lexically', { model: modelId, error: String(error) });
    }
  }
  if (vector && (await unindexedKeys(deps, input.tenantId, 1)).length > 0) {
    try {
      await embedPending(deps, input.tenantId, { limit: OPPORTUNISTIC_BATCH });
    } catch (error) {
      deps.log.warn('pending memories not embedded yet', { model: modelId, error: String(error) });
    }
  }
  const mode: RankingMode = vector ? (input.ranking ?? 'hybrid') : 'lexical';
  const k = tags.length ? CANDIDATES.withTags : Math.max(CANDIDATES.min, limit * CANDIDATES.perResult);
  const terms = [...new Set(tokenize(query))];
  const [near, words, unembedded] = await Promise.all([
    vector && mode !== 'lexical' ? deps.vectors.query(input.tenantId, modelTag(modelId, dimensions), vector, Math.min(k, deps.vectors.maxTopK)) : [],
    mode !== 'semantic' ? deps.lexicon.search(input.tenantId, terms, k) : undefined,
    unembeddedCount(deps, input.tenantId, modelId, dimensions),
  ]);
  const candidates = [...new Set([...near.map((m) => m.key), ...(words?.matches ?? []).map((m) => m.key)])];
  const records = await reread(deps, input.tenantId, candidates);
  const scored: { record: MemoryRecord; semantic: number | null; lexical: number }[] = [];
  let best = 0;
  for (const record of records) {
    if (record.state !== 'active' || !tags.every((t) => record.tags.includes(t))) continue;
    const semantic = vector && mode !== 'lexical' && hasVectorOf(record, modelId, dimensions) ? semanticScore(vector, record) : null;
    const lexical = words ? bm25(record, terms, words.stats) : 0;
    best = Math.max(best, lexical);
    scored.push({ record, semantic, lexical });
  }
  const hits = scored
    .map((c) => {
      const l = best > 0 ? c.lexical / best : 0;
      return { ...c, lexical: l, score: fuse(mode, c.semantic ?? undefined, l) };
    })
    .filter((c) => c.score > 0 && c.score >= minScore)
    .sort((a, b) => b.score - a.score || (a.record.key < b.record.key ? -1 : 1))
    .slice(0, limit);
  return { results: hits.map(toHit), mode, unembedded };
}

/** The candidates as stored now (strongly consistent batch reads of up to 100). */
async function reread(deps: Deps, tenantId: string, memoryKeys: readonly string[]): Promise<MemoryRecord[]> {
  const out: MemoryRecord[] = [];
  for (let i = 0; i < memoryKeys.length; i += 100) {
    const items = await deps.store.getMany(memoryKeys.slice(i, i + 100).map((k) => keys.memory(tenantId, k)));
    for (const item of items) out.push(fromItem(item));
  }
  return out;
}

function semanticScore(query: Float32Array, record: MemoryRecord): number | null {
  const stored = record.vector ? decodeVector(record.vector.bytes, record.vector.dims) : undefined;
  return stored && stored.values.length === query.length ? cosine(query, stored) : null;
}

/** BM25 of a memory's current text for the query terms, with the lexical index's tenant statistics (a term the index has not counted yet counts once). */
function bm25(record: MemoryRecord, terms: readonly string[], stats: LexicalStats): number {
  const { terms: counts, length } = termCounts(record);
  const documents = Math.max(1, stats.documents);
  const average = stats.documents > 0 ? stats.totalLength / stats.documents : length;
  let score = 0;
  for (const term of terms) {
    const tf = counts.get(term);
    if (!tf) continue;
    score += termScore(tf, length, average, idf(documents, Math.max(1, stats.documentFrequency.get(term) ?? 0)));
  }
  return score;
}

function toHit({ record, score, semantic, lexical }: { record: MemoryRecord; score: number; semantic: number | null; lexical: number }): SearchHit {
  return {
    key: record.key,
    content: record.content,
    tags: [...record.tags],
    score: round(score),
    semantic_score: semantic === null ? null : round(semantic),
    lexical_score: round(lexical),
    author: record.author,
    updated_at: record.updatedAt,
    metadata: { ...record.metadata },
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
