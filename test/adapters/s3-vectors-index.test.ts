import { PutVectorsCommand, QueryVectorsCommand, TooManyRequestsException } from '@aws-sdk/client-s3vectors';
import { describe, expect, it } from 'vitest';
import { vectorKey } from '../../functions/adapters/aws/s3-vectors-index.js';
import { fakeS3Vectors } from '../helpers/s3-vectors-fake.js';

const MODEL = 'amazon.titan-embed-text-v2:0/512';

function unit(seed: number, dims = 8): Float32Array {
  const v = Float32Array.from({ length: dims }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('S3VectorsIndex (the real S3VectorsClient, answered by aws-sdk-client-mock)', () => {
  it('puts vectors with tenant, model and key metadata under a per-tenant hashed key', async () => {
    const s3 = fakeS3Vectors();
    await s3.index().put('acme', MODEL, [{ key: 'pm/INC-1', vector: unit(1) }]);
    const put = s3.mock.commandCalls(PutVectorsCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ vectorBucketName: 'conclave-vectors', indexName: 'memories' });
    expect(put?.vectors?.[0]).toMatchObject({ key: vectorKey('acme', 'pm/INC-1'), metadata: { tenant: 'acme', model: MODEL, key: 'pm/INC-1' } });
    expect(put?.vectors?.[0]?.data?.float32).toHaveLength(8);
    // Same memory key, another tenant: another vector key (no overwrite across tenants).
    expect(vectorKey('globex', 'pm/INC-1')).not.toBe(vectorKey('acme', 'pm/INC-1'));
    expect(vectorKey('a', 'b\u0000c')).not.toBe(vectorKey('a\u0000b', 'c'));
  });

  it('writes in pages of at most 500 vectors and deletes in pages of at most 500 keys', async () => {
    const s3 = fakeS3Vectors();
    const index = s3.index();
    const vectors = Array.from({ length: 1_201 }, (_, i) => ({ key: `k/${i}`, vector: unit(i) }));
    await index.put('acme', MODEL, vectors);
    expect(s3.state.calls.filter((c) => c.command === 'PutVectors').map((c) => (c.input.vectors as unknown[]).length)).toEqual([500, 500, 201]);
    expect(s3.vectors.size).toBe(1_201);
    await index.delete('acme', vectors.map((v) => v.key));
    expect(s3.state.calls.filter((c) => c.command === 'DeleteVectors').map((c) => (c.input.keys as unknown[]).length)).toEqual([500, 500, 201]);
    expect(s3.vectors.size).toBe(0);
  });

  it('queries with a filter on the tenant and the model, nearest first, and follows nextToken pages', async () => {
    const s3 = fakeS3Vectors({ pageSize: 2 });
    const index = s3.index();
    await index.put('acme', MODEL, [1, 2, 3, 4, 5].map((i) => ({ key: `a/${i}`, vector: unit(i) })));
    await index.put('acme', 'other-model/512', [{ key: 'a/other-model', vector: unit(1) }]);
    await index.put('globex', MODEL, [{ key: 'g/1', vector: unit(1) }]);
    const matches = await index.query('acme', MODEL, unit(1), 5);
    expect(matches.map((m) => m.key)).toHaveLength(5);
    expect(matches[0]).toMatchObject({ key: 'a/1' });
    expect(matches[0]?.score).toBeCloseTo(1, 5);
    expect(matches.every((m) => m.key.startsWith('a/') && m.key !== 'a/other-model')).toBe(true);
    const queries = s3.mock.commandCalls(QueryVectorsCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(3);
    expect(queries[0]?.filter).toEqual({ $and: [{ tenant: { $eq: 'acme' } }, { model: { $eq: MODEL } }] });
    expect(queries[0]).toMatchObject({ topK: 5, returnMetadata: true, returnDistance: true });
    expect(queries[1]?.nextToken).toBeDefined();
    // topK is capped at the service's 100.
    await index.query('acme', MODEL, unit(1), 1_000);
    expect(s3.mock.commandCalls(QueryVectorsCommand).at(-1)?.args[0].input.topK).toBe(100);
  });

  it('retries throttling with backoff and gives up on other errors at once', async () => {
    const s3 = fakeS3Vectors();
    const sleeps: number[] = [];
    const index = s3.index({ sleep: async (ms) => void sleeps.push(ms) });
    const throttled = () => new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } });
    s3.mock.on(PutVectorsCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    await index.put('acme', MODEL, [{ key: 'k', vector: unit(1) }]);
    expect(s3.mock.commandCalls(PutVectorsCommand)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);

    s3.mock.on(PutVectorsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    await expect(index.put('acme', MODEL, [{ key: 'k', vector: unit(1) }])).rejects.toThrow(/denied/);
    expect(s3.mock.commandCalls(PutVectorsCommand)).toHaveLength(4);

    s3.mock.on(QueryVectorsCommand).rejects(throttled());
    await expect(index.query('acme', MODEL, unit(1), 3)).rejects.toThrow(/slow down/);
    expect(s3.mock.commandCalls(QueryVectorsCommand)).toHaveLength(5);
  });

  it('never returns another tenant\'s vector, even with a crafted tenant id or a service that ignores the filter', async () => {
    const s3 = fakeS3Vectors();
    const index = s3.index();
    await index.put('globex', MODEL, [{ key: 'secret/acquisition', vector: unit(1) }]);
    // Tenant ids that look like filter syntax stay a plain $eq operand: they match no other tenant.
    for (const crafted of ['{"$ne":"nobody"}', '$or', "acme' || tenant != '", 'globex ']) {
      expect(await index.query(crafted, MODEL, unit(1), 10)).toEqual([]);
      expect(s3.mock.commandCalls(QueryVectorsCommand).at(-1)?.args[0].input.filter).toEqual({ $and: [{ tenant: { $eq: crafted } }, { model: { $eq: MODEL } }] });
    }
    // A misbehaving service (the filter ignored): the adapter's own check drops the foreign vectors.
    s3.state.ignoreFilter = true;
    await index.put('acme', MODEL, [{ key: 'mine', vector: unit(2) }]);
    expect((await index.query('acme', MODEL, unit(1), 10)).map((m) => m.key)).toEqual(['mine']);
    // A forged match claiming the tenant but with another tenant's vector key is dropped too.
    s3.mock.on(QueryVectorsCommand).resolves({
      vectors: [{ key: vectorKey('globex', 'secret/acquisition'), distance: 0, metadata: { tenant: 'acme', model: MODEL, key: 'secret/acquisition' } }],
      distanceMetric: 'cosine',
    });
    expect(await index.query('acme', MODEL, unit(1), 10)).toEqual([]);
  });
});
