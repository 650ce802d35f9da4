import {
  AccessDeniedException,
  BedrockRuntimeClient,
  InvokeModelCommand,
  ThrottlingException,
  ValidationException,
  type InvokeModelCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockEmbedder } from '../../functions/adapters/aws/bedrock-embedder.js';
import { DEFAULT_EMBEDDING_MODEL_ID } from '../../functions/contracts/embeddings.js';
import { DependencyError } from '../../functions/core/errors.js';

const bedrock = mockClient(BedrockRuntimeClient);
const client = new BedrockRuntimeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

/** What Titan Text Embeddings v2 answers: JSON bytes with the embedding and a token count. */
function titanBody(embedding: number[]): InvokeModelCommandOutput {
  const body = new TextEncoder().encode(JSON.stringify({ embedding, inputTextTokenCount: 7 }));
  return { body, contentType: 'application/json', $metadata: {} } as unknown as InvokeModelCommandOutput;
}

const unit = (i: number) => Array.from({ length: 512 }, (_, d) => (d === i ? 1 : 0));
const throttled = () => new ThrottlingException({ message: 'Too many requests, please wait before trying again.', $metadata: { httpStatusCode: 429 } });

describe('BedrockEmbedder (Titan Text Embeddings v2 at the SDK boundary)', () => {
  const sleeps: number[] = [];
  const embedder = (maxAttempts = 5) =>
    new BedrockEmbedder(client, DEFAULT_EMBEDDING_MODEL_ID, { maxAttempts, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });

  beforeEach(() => {
    bedrock.reset();
    sleeps.length = 0;
  });
  afterAll(() => bedrock.restore());

  it('sends one InvokeModel per text with the Titan v2 body: 512 dimensions, normalized, and the configured model id', async () => {
    bedrock.on(InvokeModelCommand).callsFake((input: { body: string }) => titanBody(unit(JSON.parse(input.body).inputText.length % 512)));
    const vectors = await embedder().embed(['postgres outage', 'quarterly revenue']);
    const calls = bedrock.commandCalls(InvokeModelCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    for (const input of calls) {
      expect(input).toMatchObject({ modelId: 'amazon.titan-embed-text-v2:0', contentType: 'application/json', accept: 'application/json' });
      const body = JSON.parse(input.body as string) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['dimensions', 'inputText', 'normalize']);
      expect(body).toMatchObject({ dimensions: 512, normalize: true });
    }
    expect(calls.map((c) => JSON.parse(c.body as string).inputText).sort()).toEqual(['postgres outage', 'quarterly revenue']);
    // Results come back in input order whatever order the calls finish in.
    expect(vectors.map((v) => v.indexOf(1))).toEqual([15, 17]);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
    expect(embedder().dimensions).toBe(512);
  });

  it('retries throttling with exponential backoff and jitter, then succeeds', async () => {
    bedrock.on(InvokeModelCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves(titanBody(unit(3)));
    const [vector] = await embedder().embed(['hello']);
    expect(vector?.[3]).toBe(1);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(3);
    // Full jitter: uniform in [0, base × 2^attempt]; with random() = 0.5, half of 200 then of 400.
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after maxAttempts of throttling with a DependencyError naming the model', async () => {
    bedrock.on(InvokeModelCommand).rejects(throttled());
    const failure = embedder(3).embed(['hello']);
    await expect(failure).rejects.toBeInstanceOf(DependencyError);
    await expect(failure).rejects.toThrow(/amazon\.titan-embed-text-v2:0 is still unavailable after 3 attempts \(ThrottlingException\)/);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(3);
  });

  it('reports access denied at once (no retry), saying how to enable the model and which permission is needed', async () => {
    bedrock.on(InvokeModelCommand).rejects(new AccessDeniedException({ message: "You don't have access to the model with the specified model ID.", $metadata: { httpStatusCode: 403 } }));
    const error = (await embedder().embed(['x']).catch((e: unknown) => e)) as DependencyError;
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.code).toBe('dependency_failed');
    expect(error.message).toMatch(/denied access to embedding model amazon\.titan-embed-text-v2:0/);
    expect(error.message).toMatch(/Bedrock console \(Model access\)/);
    expect(error.message).toContain('bedrock:InvokeModel on arn:aws:bedrock:<region>::foundation-model/amazon.titan-embed-text-v2:0');
    expect(error.cause).toBeInstanceOf(AccessDeniedException);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(1);
  });

  it('reports a model that is unknown or not enabled (ValidationException) naming the model and the setting', async () => {
    bedrock.on(InvokeModelCommand).rejects(new ValidationException({ message: 'The provided model identifier is invalid.', $metadata: { httpStatusCode: 400 } }));
    const error = (await new BedrockEmbedder(client, 'amazon.titan-embed-text-v2:9', { sleep: async () => undefined }).embed(['x']).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toMatch(/amazon\.titan-embed-text-v2:9 is unknown or not enabled here: check CONCLAVE_EMBEDDING_MODEL_ID/);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(1);
  });

  it('refuses an answer that is not a 512-dimension embedding', async () => {
    bedrock.on(InvokeModelCommand).resolves(titanBody([0.1, 0.2]));
    await expect(embedder().embed(['x'])).rejects.toThrow(/did not return a 512-dimension embedding/);
  });

  it('sends at most 50,000 characters of a text (Titan v2 input limit)', async () => {
    bedrock.on(InvokeModelCommand).resolves(titanBody(unit(0)));
    await embedder().embed(['a'.repeat(60_000)]);
    const body = JSON.parse(bedrock.commandCalls(InvokeModelCommand)[0]?.args[0].input.body as string) as { inputText: string };
    expect(body.inputText).toHaveLength(50_000);
  });
});
