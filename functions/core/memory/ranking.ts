/**
 * The fusion rule of hybrid memory search.
 *
 *   semantic s = cosine(query, memory), clamped to [0, 1]; 0 when the memory
 *                has no vector of the query's model (pending, or another model)
 *   lexical  l = BM25(query, memory) / max over the tenant's memories of BM25(query, ·)
 *                (1 for the best lexical match of this query, 0 without a shared term)
 *   hybrid     = 0.7 · s + 0.3 · l
 *
 * Why this shape: cosine is already on a fixed scale, BM25 is not (it grows
 * with the query's length and the terms' rarity), so BM25 is scaled by the
 * best lexical score of the same query. The lexical weight is large enough
 * that a memory containing the exact id or name a query asks for (a rare
 * term, high IDF) outranks paraphrases that are only semantically close, and
 * small enough that one shared common word cannot outweigh meaning. When the
 * query could not be embedded, search is lexical only and the score is l.
 * `min_score` applies to the returned score. bench/memory.ts measures the
 * rule against semantic-only and lexical-only ranking on a labelled set.
 */
export const FUSION = { semantic: 0.7, lexical: 0.3 } as const;

export type RankingMode = 'hybrid' | 'semantic' | 'lexical';

export function fuse(mode: RankingMode, semantic: number | undefined, lexical: number): number {
  const s = Math.min(1, Math.max(0, semantic ?? 0));
  switch (mode) {
    case 'semantic':
      return s;
    case 'lexical':
      return lexical;
    case 'hybrid':
      return FUSION.semantic * s + FUSION.lexical * lexical;
  }
}
