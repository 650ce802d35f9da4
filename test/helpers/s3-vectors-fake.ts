import { DeleteVectorsCommand, PutVectorsCommand, QueryVectorsCommand, S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { mockClient } from 'aws-sdk-client-mock';
import { S3VectorsIndex } from '../../functions/adapters/aws/s3-vectors-index.js';

type Filter = Record<string, unknown>;

interface Stored {
  readonly vector: number[];
  readonly metadata: Record<string, unknown>;
}

/**
 * An in-memory stand-in for one S3 Vectors index behind the REAL
 * S3VectorsClient (aws-sdk-client-mock answers its commands): PutVectors
 * upserts by key, DeleteVectors removes, QueryVectors evaluates the metadata
 * filter as documented ($eq, $and, $or on the stored metadata), ranks by
 * cosine distance and returns the results `pageSize` at a time with a
 * nextToken, so the adapter's paging is exercised. `calls` records every
 * command input; `ignoreFilter` makes the fake misbehave (it returns every
 * tenant's vectors) to prove the adapter's own check.
 */
export function fakeS3Vectors(options: { pageSize?: number } = {}) {
  const client = new S3VectorsClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const mock = mockClient(client);
  const vectors = new Map<string, Stored>();
  const state = { ignoreFilter: false, pageSize: options.pageSize ?? 1000, calls: [] as { command: string; input: Record<string, unknown> }[] };
  const pending = new Map<string, { key: string; distance: number; metadata: Record<string, unknown> }[]>();

  mock.on(PutVectorsCommand).callsFake((input: { vectors: { key: string; data: { float32: number[] }; metadata: Record<string, unknown> }[] }) => {
    state.calls.push({ command: 'PutVectors', input });
    if (input.vectors.length > 500) throw Object.assign(new Error('too many vectors'), { name: 'ValidationException' });
    for (const v of input.vectors) vectors.set(v.key, { vector: v.data.float32, metadata: v.metadata });
    return {};
  });
  mock.on(DeleteVectorsCommand).callsFake((input: { keys: string[] }) => {
    state.calls.push({ command: 'DeleteVectors', input });
    if (input.keys.length > 500) throw Object.assign(new Error('too many keys'), { name: 'ValidationException' });
    for (const k of input.keys) vectors.delete(k);
    return {};
  });
  mock.on(QueryVectorsCommand).callsFake((input: { topK: number; queryVector: { float32: number[] }; filter?: Filter; nextToken?: string }) => {
    state.calls.push({ command: 'QueryVectors', input });
    let results = input.nextToken ? pending.get(input.nextToken) : undefined;
    if (!results) {
      results = [...vectors]
        .filter(([, v]) => state.ignoreFilter || !input.filter || matches(input.filter, v.metadata))
        .map(([key, v]) => ({ key, distance: 1 - cosine(input.queryVector.float32, v.vector), metadata: v.metadata }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, input.topK);
    }
    const page = results.slice(0, state.pageSize);
    const rest = results.slice(state.pageSize);
    let nextToken: string | undefined;
    if (rest.length > 0) {
      nextToken = `page-${state.calls.length}`;
      pending.set(nextToken, rest);
    }
    return { vectors: page, distanceMetric: 'cosine', ...(nextToken ? { nextToken } : {}) };
  });

  const index = (opts: ConstructorParameters<typeof S3VectorsIndex>[2] = {}) =>
    new S3VectorsIndex(client, { vectorBucketName: 'conclave-vectors', indexName: 'memories' }, { sleep: async () => {}, ...opts });
  return { client, mock, vectors, state, index };
}

/** The documented filter operators Conclave uses, evaluated on a vector's metadata. */
function matches(filter: Filter, metadata: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    if (field === '$and') return (condition as Filter[]).every((f) => matches(f, metadata));
    if (field === '$or') return (condition as Filter[]).some((f) => matches(f, metadata));
    if (condition !== null && typeof condition === 'object' && '$eq' in condition) return metadata[field] === (condition as { $eq: unknown }).$eq;
    if (condition !== null && typeof condition === 'object' && '$ne' in condition) return metadata[field] !== (condition as { $ne: unknown }).$ne;
    return metadata[field] === condition;
  });
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}
