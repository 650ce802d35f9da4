import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import usearch from 'usearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idf, termScore } from '../../functions/contracts/bm25.js';
import { DynamoStore } from '../../functions/adapters/aws/dynamo-store.js';
import { TableLexicalIndex } from '../../functions/adapters/aws/table-lexical-index.js';
import { ensureTable, startDynalite, type LocalDynamo } from '../../functions/adapters/local/dynalite.js';
import { HnswVectorIndex } from '../../functions/adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../../functions/adapters/local/local-lexical-index.js';
import type { LexicalDocument, LexicalIndex } from '../../functions/ports/lexical-index.js';
import type { VectorIndex } from '../../functions/ports/vector-index.js';
import { fakeS3Vectors } from '../helpers/s3-vectors-fake.js';

const MODEL = 'test/model/512';
const DIMS = 32;

function unit(seed: number): Float32Array {
  const v = Float32Array.from({ length: DIMS }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453 % 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function doc(key: string, text: string): LexicalDocument {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const terms = new Map<string, number>();
  for (const w of words) terms.set(w, (terms.get(w) ?? 0) + 1);
  return { key, terms, length: words.length };
}

let dynamo: LocalDynamo;
let dir: string;
beforeAll(async () => {
  dynamo = await startDynalite();
  await ensureTable(dynamo.client, 'indexes');
  dir = await mkdtemp(join(tmpdir(), 'conclave-indexes-'));
});
afterAll(async () => {
  dynamo.client.destroy();
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

/** The VectorIndex contract, run against every adapter. */
describe.each([
  { name: 'HnswVectorIndex (local)', make: (): VectorIndex => new HnswVectorIndex() },
  { name: 'S3VectorsIndex (AWS, client on a fake)', make: (): VectorIndex => fakeS3Vectors({ pageSize: 4 }).index() },
])('VectorIndex contract: $name', ({ make }) => {
  it('returns the nearest of the tenant\'s vectors of the model, best first, and replaces a key on put', async () => {
    const index = make();
    await index.put('acme', MODEL, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, vector: unit(i) })));
    const near = await index.query('acme', MODEL, unit(3), 5);
    expect(near[0]?.key).toBe('k3');
    expect(near[0]?.score).toBeGreaterThan(0.99);
    expect(near.map((m) => m.score)).toEqual([...near.map((m) => m.score)].sort((a, b) => b - a));
    await index.put('acme', MODEL, [{ key: 'k3', vector: unit(100) }]);
    expect((await index.query('acme', MODEL, unit(100), 1))[0]?.key).toBe('k3');
    expect((await index.query('acme', MODEL, unit(3), 3)).map((m) => m.key)).not.toContain('k3');
  });

  it('keeps tenants and models apart, and deletes', async () => {
    const index = make();
    await index.put('acme', MODEL, [{ key: 'a', vector: unit(1) }]);
    await index.put('globex', MODEL, [{ key: 'g', vector: unit(1) }]);
    await index.put('acme', 'other/512', [{ key: 'b', vector: unit(1) }]);
    expect((await index.query('acme', MODEL, unit(1), 10)).map((m) => m.key)).toEqual(['a']);
    expect((await index.query('globex', MODEL, unit(1), 10)).map((m) => m.key)).toEqual(['g']);
    expect((await index.query('nobody', MODEL, unit(1), 10))).toEqual([]);
    await index.delete('acme', ['a', 'never-stored']);
    expect(await index.query('acme', MODEL, unit(1), 10)).toEqual([]);
    expect((await index.query('globex', MODEL, unit(1), 10)).map((m) => m.key)).toEqual(['g']);
  });
});

/** The LexicalIndex contract, run against every adapter. */
describe.each([
  { name: 'LocalLexicalIndex (local)', make: (): LexicalIndex => new LocalLexicalIndex() },
  { name: 'TableLexicalIndex (AWS, on the Store port)', make: (): LexicalIndex => new TableLexicalIndex(new DynamoStore(dynamo.client, 'indexes')) },
])('LexicalIndex contract: $name', ({ make }) => {
  it('ranks by BM25, counts documents and frequencies, replaces and deletes', async () => {
    const index = make();
    const tenant = `t-${Math.random().toString(36).slice(2)}`;
    await index.put(tenant, [doc('a', 'checkout outage inc-2041 database'), doc('b', 'database upgrade plan'), doc('c', 'team lunch')]);
    const found = await index.search(tenant, ['inc-2041', 'database'], 10);
    expect(found.matches.map((m) => m.key)).toEqual(['a', 'b']);
    expect(found.stats).toMatchObject({ documents: 3, totalLength: 9 });
    expect(Object.fromEntries(found.stats.documentFrequency)).toEqual({ 'inc-2041': 1, database: 2 });

    await index.put(tenant, [doc('a', 'team offsite')]);
    const after = await index.search(tenant, ['inc-2041', 'team'], 10);
    expect(after.matches.map((m) => m.key).sort()).toEqual(['a', 'c']);
    expect(Object.fromEntries(after.stats.documentFrequency)).toEqual({ 'inc-2041': 0, team: 2 });
    expect(after.stats).toMatchObject({ documents: 3, totalLength: 7 });

    await index.delete(tenant, ['c', 'never-stored']);
    expect((await index.search(tenant, ['team'], 10)).matches.map((m) => m.key)).toEqual(['a']);
    expect((await index.search(`${tenant}-other`, ['team'], 10)).matches).toEqual([]);
  });
});

describe('LocalLexicalIndex keeps postings right through removals and compaction', () => {
  it('finds only live documents after many removals, and a term reused after all its documents left', async () => {
    const index = new LocalLexicalIndex();
    await index.put('t', Array.from({ length: 40 }, (_, i) => doc(`d${i}`, `shared word${i}`)));
    await index.delete('t', Array.from({ length: 39 }, (_, i) => `d${i}`));
    expect((await index.search('t', ['shared'], 10)).matches.map((m) => m.key)).toEqual(['d39']);
    await index.delete('t', ['d39']);
    expect((await index.search('t', ['shared'], 10)).matches).toEqual([]);
    await index.put('t', [doc('fresh', 'shared again'), doc('d5', 'word5 back')]);
    const found = await index.search('t', ['shared', 'word5'], 10);
    expect(found.matches.map((m) => m.key).sort()).toEqual(['d5', 'fresh']);
    expect(Object.fromEntries(found.stats.documentFrequency)).toEqual({ shared: 1, word5: 1 });
    expect(found.stats.documents).toBe(2);
  });
});

describe('local indexes persist in the data dir', () => {
  it('a new instance on the same directory serves what the old one held, from the journal and from a snapshot', async () => {
    const root = join(dir, 'persist');
    const first = new HnswVectorIndex({ dir: root, snapshotEvery: 10 });
    const words = new LocalLexicalIndex({ dir: root });
    await first.put('acme', MODEL, Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, vector: unit(i) })));
    await first.delete('acme', ['k0']);
    await words.put('acme', [doc('k1', 'kafka lag'), doc('k2', 'kinesis shards')]);
    await words.delete('acme', ['k2']);
    // Snapshots were taken along the way (every 10 journal entries); the rest is in the journal.
    const files = await readdir(join(root, (await readdir(root))[0] as string));
    expect(files.some((f) => f.endsWith('.usearch'))).toBe(true);

    const second = new HnswVectorIndex({ dir: root });
    expect(await second.size('acme')).toBe(24);
    expect((await second.query('acme', MODEL, unit(7), 1))[0]?.key).toBe('k7');
    expect((await second.query('acme', MODEL, unit(0), 30)).map((m) => m.key)).not.toContain('k0');
    const words2 = new LocalLexicalIndex({ dir: root });
    expect((await words2.search('acme', ['kafka', 'kinesis'], 10)).matches.map((m) => m.key)).toEqual(['k1']);

    // Flushed on close: a third instance loads the snapshot alone.
    await second.put('acme', MODEL, [{ key: 'late', vector: unit(500) }]);
    await second.flush();
    const third = new HnswVectorIndex({ dir: root });
    expect(await third.size('acme')).toBe(25);
    expect((await third.query('acme', MODEL, unit(500), 1))[0]?.key).toBe('late');
  });
});

describe('local indexes across snapshots, journals and restarts', () => {
  /** A deterministic pseudo-random sequence. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const WORDS = ['kafka', 'lag', 'deploy', 'rollback', 'inc-2041', 'budget', 'q3', 'hire', 'label', 'api', 'übergröße', 'naïve'];

  it('a persisted lexical index answers like one that never restarted, whenever it is reopened, flushed or not', async () => {
    const root = join(dir, 'lexical-model');
    const next = random(7);
    const reference = new LocalLexicalIndex();
    let persisted = new LocalLexicalIndex({ dir: root, snapshotEvery: 7 });
    // The documents as they should be, for BM25 computed from scratch.
    const live = new Map<string, LexicalDocument>();
    const bm25 = (terms: string[]) => {
      const average = [...live.values()].reduce((a, d) => a + d.length, 0) / (live.size || 1);
      const df = new Map(terms.map((t) => [t, [...live.values()].filter((d) => d.terms.has(t)).length]));
      const scores = [...live.values()].map((d) => ({
        key: d.key,
        score: terms.reduce((sum, t) => sum + (d.terms.has(t) ? termScore(d.terms.get(t) as number, d.length, average, idf(live.size, df.get(t) as number)) : 0), 0),
      }));
      return { df, scores: new Map(scores.filter((s) => s.score > 0).map((s) => [s.key, s.score])) };
    };
    const check = async () => {
      for (const terms of [['kafka'], ['deploy', 'inc-2041'], ['übergröße', 'q3', 'nothing'], WORDS]) {
        const [want, got] = await Promise.all([reference.search('acme', terms, 5), persisted.search('acme', terms, 5)]);
        const exact = bm25(terms);
        expect(Object.fromEntries(got.stats.documentFrequency)).toEqual(Object.fromEntries(exact.df));
        expect(got.stats.documents).toBe(live.size);
        for (const m of got.matches) expect(m.score).toBeCloseTo(exact.scores.get(m.key) as number, 9);
        expect(got.matches.map((m) => m.score.toFixed(9))).toEqual([...exact.scores.values()].sort((a, b) => b - a).slice(0, 5).map((x) => x.toFixed(9)));
        expect(got.stats.documents).toBe(want.stats.documents);
        expect(got.stats.totalLength).toBe(want.stats.totalLength);
        expect(Object.fromEntries(got.stats.documentFrequency)).toEqual(Object.fromEntries(want.stats.documentFrequency));
        expect(got.matches.map((m) => [m.key, m.score.toFixed(9)])).toEqual(want.matches.map((m) => [m.key, m.score.toFixed(9)]));
      }
    };
    for (let step = 0; step < 300; step++) {
      const r = next();
      const key = `m/${Math.floor(next() * 40)}`;
      if (r < 0.6) {
        const text = Array.from({ length: 1 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
        live.set(key, doc(key, text));
        await Promise.all([reference.put('acme', [doc(key, text)]), persisted.put('acme', [doc(key, text)])]);
      } else if (r < 0.85) {
        live.delete(key);
        await Promise.all([reference.delete('acme', [key]), persisted.delete('acme', [key])]);
      } else if (r < 0.93) {
        await persisted.flush();
        persisted = new LocalLexicalIndex({ dir: root, snapshotEvery: 7 });
      } else {
        // A restart without flush (a crash): the journal since the last snapshot is replayed.
        persisted = new LocalLexicalIndex({ dir: root, snapshotEvery: 7 });
      }
      if (step % 10 === 0) await check();
    }
    await check();
  });

  it('a persisted vector index keeps the latest vector of each key through snapshots, memory-mapped restarts and writes after them', async () => {
    const root = join(dir, 'vector-model');
    const next = random(11);
    const truth = new Map<string, number>();
    let persisted = new HnswVectorIndex({ dir: root, snapshotEvery: 9 });
    const check = async () => {
      expect(await persisted.size('acme')).toBe(truth.size);
      for (const [key, seed] of truth) expect((await persisted.query('acme', MODEL, unit(seed), 1))[0]?.key).toBe(key);
      const all = (await persisted.query('acme', MODEL, unit(0), 100)).map((m) => m.key).sort();
      expect(all).toEqual([...truth.keys()].sort());
    };
    for (let step = 0; step < 200; step++) {
      const r = next();
      const key = `m/${Math.floor(next() * 30)}`;
      if (r < 0.6) {
        const seed = 1000 + step;
        truth.set(key, seed);
        await persisted.put('acme', MODEL, [{ key, vector: unit(seed) }]);
      } else if (r < 0.8) {
        truth.delete(key);
        await persisted.delete('acme', [key]);
      } else if (r < 0.9) {
        await persisted.flush();
        persisted = new HnswVectorIndex({ dir: root, snapshotEvery: 9 });
      } else {
        persisted = new HnswVectorIndex({ dir: root, snapshotEvery: 9 });
      }
      if (step % 10 === 0) await check();
    }
    await check();
  });
});

describe('local indexes written by an earlier version', () => {
  it('a vector index whose manifest lists its keys (before the keys file) is read, and rewritten in the current format at its next snapshot', async () => {
    const root = join(dir, 'old-format');
    const tenantDir = join(root, `t-${Buffer.from('acme', 'utf8').toString('base64url')}`);
    await mkdir(tenantDir, { recursive: true });
    const graph = new usearch.Index({ dimensions: DIMS, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F16, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
    graph.add(BigUint64Array.of(7n, 9n), Float32Array.from([...unit(1), ...unit(2)]));
    graph.save(join(tenantDir, 'vectors-3-0.usearch'));
    const manifest = { generation: 3, shards: [{ model: MODEL, file: 'vectors-3-0.usearch', dims: DIMS, nextId: '10', keys: [['7', 'one'], ['9', 'two']] }] };
    await writeFile(join(tenantDir, 'vectors.json'), `${JSON.stringify(manifest)}\n`);

    const index = new HnswVectorIndex({ dir: root });
    expect((await index.query('acme', MODEL, unit(2), 1))[0]?.key).toBe('two');
    await index.put('acme', MODEL, [{ key: 'three', vector: unit(3) }]);
    await index.delete('acme', ['one']);
    await index.flush();
    expect(await readdir(tenantDir)).toContain('vectors-4-0.keys');
    const again = new HnswVectorIndex({ dir: root });
    expect(await again.size('acme')).toBe(2);
    expect((await again.query('acme', MODEL, unit(3), 1))[0]?.key).toBe('three');
    expect((await again.query('acme', MODEL, unit(1), 5)).map((m) => m.key)).not.toContain('one');
  });
});
