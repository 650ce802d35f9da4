import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { EMBEDDING_DIMENSIONS } from '../../contracts/embeddings.js';
import { DependencyError } from '../../ports/errors.js';
import { bedrockRetry, TRANSIENT_BEDROCK_ERRORS, type BedrockRetry, type BedrockRetryOptions } from './bedrock-retry.js';
import type { Embedder } from '../../ports/embedder.js';

/** Titan Text Embeddings v2 accepts at most 50,000 characters (8,192 tokens) per text. */
const MAX_INPUT_CHARS = 50_000;
/** Texts embedded at once (Titan takes one text per InvokeModel call). */
const CONCURRENCY = 4;
/** How the embedder retries a text; defaults: baseDelayMs 100, maxDelayMs 3000. */
export type BedrockEmbedderOptions = BedrockRetryOptions;

/**
 * The Embedder port on Amazon Bedrock, Titan Text Embeddings v2: 512
 * dimensions, normalized by the model, one InvokeModel call per text.
 *
 * The client is injected and should be built with `maxAttempts: 1`: this
 * adapter owns the retry policy (exponential backoff with full jitter on
 * throttling and transient faults), so SDK retries would multiply it.
 * Access problems are not retried: they become a DependencyError that names
 * the model and how to enable it, which is what an operator reads in the logs.
 */
export class BedrockEmbedder implements Embedder {
  readonly dimensions = EMBEDDING_DIMENSIONS;
  private readonly retry: BedrockRetry;

  constructor(
    private readonly client: BedrockRuntimeClient,
    readonly modelId: string,
    options: BedrockEmbedderOptions = {},
  ) {
    this.retry = bedrockRetry(options, { baseDelayMs: 100, maxDelayMs: 3000 });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array<Float32Array>(texts.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < texts.length; i = next++) out[i] = await this.embedOne(texts[i] as string);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, texts.length) }, worker));
    return out;
  }

  private async embedOne(text: string): Promise<Float32Array> {
    const body = JSON.stringify({ inputText: text.slice(0, MAX_INPUT_CHARS), dimensions: this.dimensions, normalize: true });
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(
          new InvokeModelCommand({ modelId: this.modelId, contentType: 'application/json', accept: 'application/json', body }),
        );
        return this.vectorFrom(out.body);
      } catch (error) {
        if (error instanceof DependencyError) throw error;
        if (!isTransient(error)) throw this.explain(error);
        if (attempt >= this.retry.maxAttempts) {
          throw new DependencyError(`Bedrock model ${this.modelId} is still unavailable after ${attempt} attempts (${(error as Error).name})`, { cause: error });
        }
        await this.retry.backoff(attempt);
      }
    }
  }

  private vectorFrom(body: Uint8Array | undefined): Float32Array {
    let embedding: unknown;
    try {
      embedding = (JSON.parse(new TextDecoder().decode(body)) as { embedding?: unknown }).embedding;
    } catch (error) {
      throw new DependencyError(`Bedrock model ${this.modelId} returned a body that is not JSON`, { cause: error });
    }
    if (!Array.isArray(embedding) || embedding.length !== this.dimensions || !embedding.every((x) => typeof x === 'number')) {
      throw new DependencyError(`Bedrock model ${this.modelId} did not return a ${this.dimensions}-dimension embedding; is it a Titan Text Embeddings v2 model?`);
    }
    return Float32Array.from(embedding as number[]);
  }

  /** A non-retryable failure, said so that an operator knows what to change. */
  private explain(error: unknown): DependencyError {
    const name = (error as Error)?.name ?? 'Error';
    const message = (error as Error)?.message ?? String(error);
    const enable =
      `enable model access for ${this.modelId} in the Amazon Bedrock console (Model access) in this account and region, ` +
      `and allow bedrock:InvokeModel on arn:aws:bedrock:<region>::foundation-model/${this.modelId} (the CDK stack grants exactly that)`;
    if (name === 'AccessDeniedException') {
      return new DependencyError(`Bedrock denied access to embedding model ${this.modelId}: ${enable}. (${message})`, { cause: error });
    }
    if (name === 'ResourceNotFoundException' || (name === 'ValidationException' && /model/i.test(message))) {
      return new DependencyError(
        `Bedrock embedding model ${this.modelId} is unknown or not enabled here: check CONCLAVE_EMBEDDING_MODEL_ID (CDK context embeddingModelId), then ${enable}. (${message})`,
        { cause: error },
      );
    }
    return new DependencyError(`Bedrock rejected the embedding request to ${this.modelId}: ${name}: ${message}`, { cause: error });
  }
}

function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT_BEDROCK_ERRORS.has(e?.name ?? '') || status === 429 || status >= 500 || Boolean(e?.$retryable);
}
