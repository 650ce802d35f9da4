/**
 * Okapi BM25, shared by the core's exact scoring (functions/core/memory) and
 * the lexical-index adapters' candidate ranking, so both use one scale.
 */

/** BM25 parameters: the usual k1 = 1.2, b = 0.75. */
export const BM25 = { k1: 1.2, b: 0.75 } as const;

/** Okapi BM25 IDF, non-negative: ln(1 + (N − df + 0.5) / (df + 0.5)). */
export function idf(documents: number, documentFrequency: number): number {
  return Math.log(1 + (Math.max(documents, documentFrequency) - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/** One term's BM25 contribution for a document of `length` tokens when the average is `averageLength`. */
export function termScore(termFrequency: number, length: number, averageLength: number, termIdf: number): number {
  const norm = BM25.k1 * (1 - BM25.b + (BM25.b * length) / (averageLength || 1));
  return (termIdf * termFrequency * (BM25.k1 + 1)) / (termFrequency + norm);
}
