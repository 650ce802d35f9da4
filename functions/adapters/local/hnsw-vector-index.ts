import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import usearch, { type Index as UsearchIndex } from 'usearch';
import type { IndexedVector, VectorIndex, VectorMatch } from '../../ports/vector-index.js';
import { appendLines, ensureDir, readLines, Serial, tenantDir, writeAtomically } from './index-files.js';

/** HNSW parameters (usearch): chosen by bench/memory.ts at 100,000 memories for recall@10 ≥ 0.95 against exact search. */
export const HNSW = { connectivity: 16, expansionAdd: 128, expansionSearch: 96, quantization: 'f16' } as const;

export interface HnswVectorIndexOptions {
  /** Where the index persists (one directory per tenant); omit for an in-memory index (tests). */
  readonly dir?: string;
  /** Journal entries after which a tenant's index is snapshotted and its journal emptied. */
  readonly snapshotEvery?: number;
  /** usearch's expansion factor at search time (higher: better recall, slower). */
  readonly expansionSearch?: number;
}

interface Shard {
  readonly index: UsearchIndex;
  /** Memory key ↔ usearch key (numbers here: a BigInt per entry would cost heap at 100,000 memories). */
  readonly idOf: Map<string, number>;
  readonly keyOf: Map<number, string>;
  nextId: number;
}

interface Tenant {
  readonly shards: Map<string, Shard>;
  /** Journal entries since the last snapshot. */
  journaled: number;
  generation: number;
}

interface Manifest {
  readonly generation: number;
  readonly shards: readonly { model: string; file: string; dims: number; nextId: string; keys: [string, string][] }[];
}

const JOURNAL = 'vectors.journal';
const MANIFEST = 'vectors.json';

/**
 * The local vector index: an HNSW graph per tenant and model (usearch, int8
 * vectors, cosine), held in memory and persisted in the data dir as a
 * snapshot (usearch's own file) plus a journal of the puts and deletes
 * since, so a restart loads the graph instead of re-embedding or rebuilding
 * it. Tenants load on first use; a tenant's directory is derived from its
 * id, so a query only ever reads the asking tenant's graph.
 */
export class HnswVectorIndex implements VectorIndex {
  readonly name = 'hnsw';
  readonly maxTopK = 1000;
  private readonly tenants = new Map<string, Promise<Tenant>>();
  private readonly serial = new Serial();
  private readonly snapshotEvery: number;
  private readonly expansionSearch: number;

  constructor(private readonly options: HnswVectorIndexOptions = {}) {
    this.snapshotEvery = options.snapshotEvery ?? 20_000;
    this.expansionSearch = options.expansionSearch ?? HNSW.expansionSearch;
  }

  put(tenantId: string, model: string, vectors: readonly IndexedVector[]): Promise<void> {
    if (vectors.length === 0) return Promise.resolve();
    return this.serial.run(tenantId, async () => {
      const tenant = await this.tenant(tenantId);
      const dims = (vectors[0] as IndexedVector).vector.length;
      if (vectors.some((v) => v.vector.length !== dims)) throw new Error('vectors of one put must have one dimension');
      if (this.options.dir) {
        await appendLines(
          join(this.dir(tenantId), JOURNAL),
          vectors.map((v) => `P\t${model}\t${JSON.stringify(v.key)}\t${Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength).toString('base64')}`),
        );
      }
      this.applyPut(tenant, model, vectors);
      await this.journaled(tenantId, tenant, vectors.length);
    });
  }

  delete(tenantId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.serial.run(tenantId, async () => {
      const tenant = await this.tenant(tenantId);
      if (this.options.dir) await appendLines(join(this.dir(tenantId), JOURNAL), keys.map((k) => `D\t${JSON.stringify(k)}`));
      this.applyDelete(tenant, keys);
      await this.journaled(tenantId, tenant, keys.length);
    });
  }

  async query(tenantId: string, model: string, vector: Float32Array, topK: number): Promise<VectorMatch[]> {
    const tenant = await this.tenant(tenantId);
    const shard = tenant.shards.get(model);
    if (!shard || shard.idOf.size === 0 || shard.index.dimensions() !== vector.length) return [];
    const k = Math.min(topK, this.maxTopK, shard.idOf.size);
    const matches = shard.index.search(vector, k, 1);
    const out: VectorMatch[] = [];
    for (let i = 0; i < matches.keys.length; i++) {
      const key = shard.keyOf.get(Number(matches.keys[i] as bigint));
      if (key !== undefined) out.push({ key, score: 1 - (matches.distances[i] as number) });
    }
    return out;
  }

  /** How many vectors the tenant holds (all models): for tests and benchmarks. */
  async size(tenantId: string): Promise<number> {
    const tenant = await this.tenant(tenantId);
    let n = 0;
    for (const shard of tenant.shards.values()) n += shard.idOf.size;
    return n;
  }

  /** Snapshots every loaded tenant with journal entries (on shutdown). */
  async flush(): Promise<void> {
    if (!this.options.dir) return;
    for (const [tenantId, loading] of this.tenants) {
      await this.serial.run(tenantId, async () => {
        const tenant = await loading;
        if (tenant.journaled > 0) await this.snapshot(tenantId, tenant);
      });
    }
  }

  private dir(tenantId: string): string {
    return tenantDir(this.options.dir as string, tenantId);
  }

  private tenant(tenantId: string): Promise<Tenant> {
    let loading = this.tenants.get(tenantId);
    if (!loading) {
      loading = this.load(tenantId);
      this.tenants.set(tenantId, loading);
      loading.catch(() => this.tenants.delete(tenantId));
    }
    return loading;
  }

  private async load(tenantId: string): Promise<Tenant> {
    const tenant: Tenant = { shards: new Map(), journaled: 0, generation: 0 };
    if (!this.options.dir) return tenant;
    const dir = this.dir(tenantId);
    await ensureDir(dir);
    const [manifestLine] = await readLines(join(dir, MANIFEST));
    if (manifestLine) {
      const manifest = JSON.parse(manifestLine) as Manifest;
      tenant.generation = manifest.generation;
      for (const s of manifest.shards) {
        const shard = newShard(s.dims, this.expansionSearch);
        shard.index.load(join(dir, s.file));
        for (const [id, key] of s.keys) {
          shard.idOf.set(key, Number(id));
          shard.keyOf.set(Number(id), key);
        }
        shard.nextId = Number(s.nextId);
        tenant.shards.set(s.model, shard);
      }
    }
    // Replaying the journal on top of the snapshot is idempotent (a put replaces, a delete removes).
    for (const line of await readLines(join(dir, JOURNAL))) {
      const [op, a, b, c] = line.split('\t');
      if (op === 'P' && a && b && c) {
        const bytes = Buffer.from(c, 'base64');
        const vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        this.applyPut(tenant, a, [{ key: JSON.parse(b) as string, vector }]);
      } else if (op === 'D' && a) {
        this.applyDelete(tenant, [JSON.parse(a) as string]);
      }
      tenant.journaled++;
    }
    return tenant;
  }

  private applyPut(tenant: Tenant, model: string, vectors: readonly IndexedVector[]): void {
    const dims = (vectors[0] as IndexedVector).vector.length;
    // A key has one vector: a put under a new model (after a model change) leaves no old one behind.
    for (const [other, shard] of tenant.shards) if (other !== model) removeKeys(shard, vectors.map((v) => v.key));
    let shard = tenant.shards.get(model);
    if (shard && shard.index.dimensions() !== dims) {
      tenant.shards.delete(model);
      shard = undefined;
    }
    if (!shard) tenant.shards.set(model, (shard = newShard(dims, this.expansionSearch)));
    removeKeys(shard, vectors.map((v) => v.key));
    const ids = new BigUint64Array(vectors.length);
    const matrix = new Float32Array(vectors.length * dims);
    vectors.forEach((v, i) => {
      const id = shard.nextId++;
      ids[i] = BigInt(id);
      matrix.set(v.vector, i * dims);
      shard.idOf.set(v.key, id);
      shard.keyOf.set(id, v.key);
    });
    // Large batches (a rebuild) use every core; single writes stay on this thread.
    shard.index.add(ids, matrix, vectors.length >= 256 ? 0 : 1);
  }

  private applyDelete(tenant: Tenant, keys: readonly string[]): void {
    for (const shard of tenant.shards.values()) removeKeys(shard, keys);
  }

  private async journaled(tenantId: string, tenant: Tenant, entries: number): Promise<void> {
    if (!this.options.dir) return;
    tenant.journaled += entries;
    if (tenant.journaled >= this.snapshotEvery) await this.snapshot(tenantId, tenant);
  }

  /** Writes every shard and the manifest under a new generation, then empties the journal and drops the old files. */
  private async snapshot(tenantId: string, tenant: Tenant): Promise<void> {
    const dir = this.dir(tenantId);
    const generation = tenant.generation + 1;
    const shards: Manifest['shards'][number][] = [];
    let i = 0;
    for (const [model, shard] of tenant.shards) {
      const file = `vectors-${generation}-${i++}.usearch`;
      shard.index.save(join(dir, file));
      shards.push({ model, file, dims: shard.index.dimensions(), nextId: String(shard.nextId), keys: [...shard.keyOf].map(([id, key]) => [String(id), key]) });
    }
    await writeAtomically(join(dir, MANIFEST), `${JSON.stringify({ generation, shards } satisfies Manifest)}\n`);
    await writeAtomically(join(dir, JOURNAL), '');
    for (let j = 0; j < 64; j++) await rm(join(dir, `vectors-${tenant.generation}-${j}.usearch`), { force: true });
    tenant.generation = generation;
    tenant.journaled = 0;
  }
}

function newShard(dims: number, expansionSearch: number): Shard {
  const index = new usearch.Index({
    dimensions: dims,
    metric: usearch.MetricKind.Cos,
    quantization: usearch.ScalarKind.F16,
    connectivity: HNSW.connectivity,
    expansion_add: HNSW.expansionAdd,
    expansion_search: expansionSearch,
    multi: false,
  });
  return { index, idOf: new Map(), keyOf: new Map(), nextId: 1 };
}

function removeKeys(shard: Shard, keys: readonly string[]): void {
  for (const key of keys) {
    const id = shard.idOf.get(key);
    if (id === undefined) continue;
    shard.index.remove(BigInt(id));
    shard.idOf.delete(key);
    shard.keyOf.delete(id);
  }
}
