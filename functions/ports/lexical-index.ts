/**
 * The lexical-index port: the word half of memory search, without holding
 * every memory in the searching process. Per-term postings in the table in
 * AWS (functions/adapters/aws/table-lexical-index.ts), a compact inverted
 * index persisted in the data dir locally
 * (functions/adapters/local/local-lexical-index.ts). Terms come from the
 * core's tokenizer (functions/core/memory/lexical.ts); the index only counts
 * them. Like the vector index it is derived from the table, may lag, and is
 * rebuilt by `npm run memory -- reembed`; every call is scoped to one tenant.
 */
export interface LexicalIndex {
  /** A short name for logs and benchmarks. */
  readonly name: string;
  /** Indexes documents, replacing whatever was indexed for their keys. */
  put(tenantId: string, documents: readonly LexicalDocument[]): Promise<void>;
  /** Removes the tenant's documents for these keys; unknown keys are ignored. */
  delete(tenantId: string, keys: readonly string[]): Promise<void>;
  /**
   * The tenant's documents best matching `terms` by BM25 (up to `topK`,
   * best first) and the statistics they were scored with, so the core can
   * score any other memory of the tenant on the same scale.
   */
  search(tenantId: string, terms: readonly string[], topK: number): Promise<LexicalResult>;
}

export interface LexicalDocument {
  /** The memory's key within its tenant. */
  readonly key: string;
  /** Term → frequency in the document. */
  readonly terms: ReadonlyMap<string, number>;
  /** The document's length in tokens. */
  readonly length: number;
}

export interface LexicalStats {
  /** Documents in the tenant's index. */
  readonly documents: number;
  /** Sum of their lengths. */
  readonly totalLength: number;
  /** Per query term: how many documents contain it. */
  readonly documentFrequency: ReadonlyMap<string, number>;
}

export interface LexicalResult {
  readonly matches: readonly { readonly key: string; readonly score: number }[];
  readonly stats: LexicalStats;
}
