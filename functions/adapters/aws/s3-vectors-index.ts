import { createHash } from 'node:crypto';
import { DeleteVectorsCommand, PutVectorsCommand, QueryVectorsCommand, type S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { MEMORY_VECTOR_METADATA } from '../../contracts/embeddings.js';
import type { IndexedVector, VectorIndex, VectorMatch } from '../../ports/vector-index.js';

/** S3 Vectors takes at most 500 vectors (or keys) per PutVectors / DeleteVectors call. */
const WRITE_PAGE = 500;
/** QueryVectors returns at most 100 results. */
const MAX_TOP_K = 100;
/** Result pages read per query at most (a filtered query may come back in several pages). */
const MAX_QUERY_PAGES = 5;
/** Errors worth another attempt: throttling and transient service faults. */
const TRANSIENT = new Set(['TooManyRequestsException', 'ThrottlingException', 'ServiceUnavailableException', 'InternalServerException', 'RequestTimeout', 'TimeoutError']);

/** Which index: its ARN (what the stack passes), or its bucket and name. */
export type S3VectorsLocation = { readonly indexArn: string } | { readonly vectorBucketName: string; readonly indexName: string };

export interface S3VectorsIndexOptions {
  /** Attempts per call, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Full-jitter backoff: uniform in [0, min(maxDelayMs, baseDelayMs × 2^n)]. @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** Injected by tests so retries take no time. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The VectorIndex port on Amazon S3 Vectors: one vector index (created by the
 * stack) shared by every tenant, the tenant a filterable metadata key.
 *
 * Isolation. The vector key is a hash of (tenant, memory key), so tenants
 * never overwrite each other; every query carries a filter built here from
 * the tenant id alone (`tenant` equals it, `model` equals the query's
 * model) with no caller-supplied part, and every match is checked again
 * against its returned metadata before it leaves the adapter, so even a
 * service that ignored the filter could not leak another tenant's memory.
 *
 * The client is injected and should be built with `maxAttempts: 1`: this
 * adapter retries throttling and transient faults itself (exponential
 * backoff with full jitter), as the Bedrock embedder does.
 */
export class S3VectorsIndex implements VectorIndex {
  readonly name = 's3vectors';
  readonly maxTopK = MAX_TOP_K;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: S3VectorsClient,
    private readonly location: S3VectorsLocation,
    options: S3VectorsIndexOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async put(tenantId: string, model: string, vectors: readonly IndexedVector[]): Promise<void> {
    for (let i = 0; i < vectors.length; i += WRITE_PAGE) {
      const page = vectors.slice(i, i + WRITE_PAGE).map((v) => ({
        key: vectorKey(tenantId, v.key),
        data: { float32: Array.from(v.vector) },
        metadata: { [MEMORY_VECTOR_METADATA.tenant]: tenantId, [MEMORY_VECTOR_METADATA.model]: model, [MEMORY_VECTOR_METADATA.key]: v.key },
      }));
      await this.send(() => this.client.send(new PutVectorsCommand({ ...this.location, vectors: page })));
    }
  }

  async delete(tenantId: string, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += WRITE_PAGE) {
      const page = keys.slice(i, i + WRITE_PAGE).map((k) => vectorKey(tenantId, k));
      await this.send(() => this.client.send(new DeleteVectorsCommand({ ...this.location, keys: page })));
    }
  }

  async query(tenantId: string, model: string, vector: Float32Array, topK: number): Promise<VectorMatch[]> {
    const k = Math.max(1, Math.min(topK, MAX_TOP_K));
    const tenantIs: Record<string, { $eq: string }> = { [MEMORY_VECTOR_METADATA.tenant]: { $eq: tenantId } };
    const modelIs: Record<string, { $eq: string }> = { [MEMORY_VECTOR_METADATA.model]: { $eq: model } };
    const filter = { $and: [tenantIs, modelIs] };
    const out: VectorMatch[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_QUERY_PAGES && out.length < k; page++) {
      const response = await this.send(() =>
        this.client.send(
          new QueryVectorsCommand({
            ...this.location,
            topK: k,
            queryVector: { float32: Array.from(vector) },
            filter,
            returnMetadata: true,
            returnDistance: true,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      for (const match of response.vectors ?? []) {
        const metadata = (match.metadata ?? {}) as Record<string, unknown>;
        const key = metadata[MEMORY_VECTOR_METADATA.key];
        // Defense in depth: only this tenant's vectors of this model, whose key hash matches.
        if (metadata[MEMORY_VECTOR_METADATA.tenant] !== tenantId || metadata[MEMORY_VECTOR_METADATA.model] !== model) continue;
        if (typeof key !== 'string' || match.key !== vectorKey(tenantId, key)) continue;
        // The index uses the cosine distance (1 − cosine).
        out.push({ key, score: 1 - (match.distance ?? 1) });
      }
      nextToken = response.nextToken;
      if (!nextToken) break;
    }
    return out.slice(0, k);
  }

  private async send<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
        if (attempt >= this.maxAttempts || !(TRANSIENT.has(name) || status === 429 || status >= 500)) throw error;
        await this.sleep(Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt));
      }
    }
  }
}

/** The vector's key: a hash of the tenant and the memory key (fixed length, within S3 Vectors' 1,024 characters, unique per tenant and key). */
export function vectorKey(tenantId: string, key: string): string {
  // Length-prefixed, so no (tenant, key) pair can hash as another's.
  return createHash('sha256').update(`${tenantId.length}:${tenantId}`).update(key).digest('base64url');
}
