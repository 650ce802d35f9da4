/**
 * The embeddings port: turns texts into unit-length vectors whose dot
 * product is their cosine similarity. Bedrock Titan Text Embeddings v2 in
 * AWS, a model packaged in npm locally (functions/adapters).
 *
 * Vectors are only comparable with vectors of the same `modelId` and
 * `dimensions`: callers record both next to every stored vector and never
 * compare across models.
 */
export interface Embedder {
  /** Identifies the model (and its version) the vectors come from, e.g. `amazon.titan-embed-text-v2:0`. */
  readonly modelId: string;
  /** The length of every vector this embedder returns. */
  readonly dimensions: number;
  /**
   * Embeds texts, one vector per text in the same order, each L2-normalized
   * and `dimensions` long. Retries transient failures itself; rejects with a
   * DependencyError (functions/core/errors.ts) when the model cannot be used
   * (throttled after retries, access denied, model not enabled), naming the
   * model and what to do about it.
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
