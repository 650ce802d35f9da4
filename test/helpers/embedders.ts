import { EMBEDDING_DIMENSIONS } from '../../functions/contracts/embeddings.js';
import { DependencyError } from '../../functions/core/errors.js';
import type { Embedder } from '../../functions/ports/embedder.js';

/**
 * A fast deterministic embedder for tests that need vectors but not meaning:
 * a hashed bag of words (each word adds ±1 to a few dimensions), normalized.
 * Texts sharing words get a positive cosine; it is no language model.
 */
export function hashingEmbedder(modelId = 'test/hashing-bag-of-words'): Embedder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    modelId,
    dimensions: EMBEDDING_DIMENSIONS,
    calls,
    embed: async (texts) => {
      calls.push([...texts]);
      return texts.map(hashVector);
    },
  };
}

export function hashVector(text: string): Float32Array {
  const v = new Float32Array(EMBEDDING_DIMENSIONS);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0;
    for (let k = 0; k < 3; k++) {
      h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
      const d = h % EMBEDDING_DIMENSIONS;
      v[d] = (v[d] as number) + (h & 1 ? 1 : -1);
    }
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}

/**
 * An embedder that can be switched between failing (like Bedrock throttled
 * past its retries) and delegating to another embedder.
 */
export function switchableEmbedder(inner: Embedder): Embedder & { failing: boolean; failures: number } {
  const self = {
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    failing: false,
    failures: 0,
    embed: async (texts: readonly string[]) => {
      if (self.failing) {
        self.failures++;
        throw new DependencyError(`Bedrock model ${inner.modelId} is still unavailable after 5 attempts (ThrottlingException)`);
      }
      return inner.embed(texts);
    },
  };
  return self;
}
