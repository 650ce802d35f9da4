/**
 * The vector-index port: where memory vectors are searched by similarity.
 * Amazon S3 Vectors in AWS (functions/adapters/aws/s3-vectors-index.ts), an
 * approximate (HNSW) index persisted in the data dir locally
 * (functions/adapters/local/hnsw-vector-index.ts). The table stays the
 * source of truth: an index holds only what the core puts into it, may lag
 * or miss entries (the core re-reads every hit from the table and re-puts
 * vectors through its retry path), and can be rebuilt from the table
 * (`npm run memory -- reembed`).
 *
 * Every call is scoped to one tenant by the adapter itself: no caller input
 * (key, model, filter) can make a query return another tenant's vector.
 */
export interface VectorIndex {
  /** A short name for logs and benchmarks, e.g. `s3vectors` or `hnsw`. */
  readonly name: string;
  /**
   * Inserts or replaces the tenant's vectors for these memory keys. `model`
   * (`<modelId>/<dimensions>`) tags them: a query only meets vectors of its
   * own model. Each vector is unit length. Retries throttling itself;
   * rejects when the index cannot be written (the caller keeps the memory
   * marked for a later retry).
   */
  put(tenantId: string, model: string, vectors: readonly IndexedVector[]): Promise<void>;
  /** Removes the tenant's vectors for these keys, whatever their model; unknown keys are ignored. */
  delete(tenantId: string, keys: readonly string[]): Promise<void>;
  /**
   * Up to `topK` of the tenant's vectors of `model` nearest to `vector`,
   * best first. Approximate: `score` estimates the cosine similarity; the
   * core computes exact scores from the table's copy.
   */
  query(tenantId: string, model: string, vector: Float32Array, topK: number): Promise<VectorMatch[]>;
  /** The largest `topK` the index serves in one query. */
  readonly maxTopK: number;
}

export interface IndexedVector {
  /** The memory's key within its tenant. */
  readonly key: string;
  readonly vector: Float32Array;
}

export interface VectorMatch {
  readonly key: string;
  /** Estimated cosine similarity with the query. */
  readonly score: number;
}
