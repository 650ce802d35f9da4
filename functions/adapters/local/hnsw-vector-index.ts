import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import usearch, { type Index as UsearchIndex } from 'usearch';
import type { IndexedVector, VectorIndex, VectorMatch } from '../../ports/vector-index.js';
import { appendLines, ensureDir, readLines, readSections, Serial, tenantDir, TenantStates, view, writeAtomically, writeSections } from './index-files.js';
import { grown, KeyTable } from './key-table.js';

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

/**
 * One model's vectors of one tenant. Memory keys get a number in `keys`
 * (KeyTable, stable for the key's life) and a usearch key per put (`idOf`:
 * the key's latest, `keyOf`: the key of a usearch key, −1 once replaced or
 * removed; flat arrays).
 */
interface Shard {
  index: UsearchIndex;
  /** A memory-mapped snapshot (usearch `view`): read-only until the first write loads it. */
  viewed: string | undefined;
  readonly dims: number;
  readonly keys: KeyTable;
  idOf: Int32Array;
  keyOf: Int32Array;
  nextId: number;
  live: number;
}

interface Tenant {
  readonly shards: Map<string, Shard>;
  /** Journal entries since the last snapshot. */
  journaled: number;
  generation: number;
}

interface Manifest {
  readonly generation: number;
  /** `keys` (a JSON list of [usearch key, memory key]) in data dirs written before the keys file. */
  readonly shards: readonly { model: string; file: string; dims: number; nextId: string; keysFile?: string; keys?: [string, string][] }[];
}

const JOURNAL = 'vectors.journal';
const MANIFEST = 'vectors.json';
/** The keys file's format number (index-files.ts writeSections). */
const KEYS_FORMAT = 1;

/**
 * The local vector index: an HNSW graph per tenant and model (usearch,
 * half-precision vectors, cosine), persisted in the data dir as a snapshot
 * (usearch's own file, plus the key maps as a binary file) and a journal of
 * the puts and deletes since. A restart whose snapshot is current
 * memory-maps it (usearch `view`): nothing is read or rebuilt before the
 * first search, and only the pages a search touches become resident; the
 * first write (or a journal to replay) loads the graph into memory. Tenants
 * load on first use; a tenant's directory is derived from its id, so a
 * query only ever reads the asking tenant's graph.
 */
export class HnswVectorIndex implements VectorIndex {
  readonly name = 'hnsw';
  readonly maxTopK = 1000;
  private readonly tenants = new TenantStates<Tenant>((tenantId) => this.load(tenantId));
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
    if (!shard || shard.live === 0 || shard.dims !== vector.length) return [];
    const k = Math.min(topK, this.maxTopK, shard.live);
    const nodes = shard.index.size();
    // Nodes of replaced or removed keys stay in the graph (see removeKeys) and are skipped here: ask for more while they crowd the answer.
    let ask = Math.min(nodes, nodes > shard.live ? 2 * k + 8 : k);
    for (;;) {
      const matches = shard.index.search(vector, ask, 1);
      const out: VectorMatch[] = [];
      for (let i = 0; i < matches.keys.length && out.length < k; i++) {
        const id = Number(matches.keys[i] as bigint);
        const key = id < shard.keyOf.length ? (shard.keyOf[id] as number) : -1;
        if (key >= 0) out.push({ key: shard.keys.keyOf(key), score: 1 - (matches.distances[i] as number) });
      }
      if (out.length >= k || ask >= nodes) return out;
      ask = Math.min(nodes, ask * 4);
    }
  }

  /** How many vectors the tenant holds (all models): for tests and benchmarks. */
  async size(tenantId: string): Promise<number> {
    const tenant = await this.tenant(tenantId);
    let n = 0;
    for (const shard of tenant.shards.values()) n += shard.live;
    return n;
  }

  /** Snapshots every loaded tenant with journal entries (on shutdown). */
  async flush(): Promise<void> {
    if (!this.options.dir) return;
    await this.tenants.flush(this.serial, (tenantId, tenant) => this.snapshot(tenantId, tenant));
  }

  private dir(tenantId: string): string {
    return tenantDir(this.options.dir as string, tenantId);
  }

  private tenant(tenantId: string): Promise<Tenant> {
    return this.tenants.get(tenantId);
  }

  private async load(tenantId: string): Promise<Tenant> {
    const tenant: Tenant = { shards: new Map(), journaled: 0, generation: 0 };
    if (!this.options.dir) return tenant;
    const dir = this.dir(tenantId);
    await ensureDir(dir);
    const [manifestLine] = await readLines(join(dir, MANIFEST));
    const journal = await readLines(join(dir, JOURNAL));
    if (manifestLine) {
      const manifest = JSON.parse(manifestLine) as Manifest;
      tenant.generation = manifest.generation;
      for (const s of manifest.shards) {
        const shard = s.keysFile ? await this.shardFromFiles(dir, s.file, s.keysFile, s.dims) : this.shardFromList(dir, s.file, s.dims, s.keys ?? [], Number(s.nextId));
        tenant.shards.set(s.model, shard);
      }
      // A manifest from before the keys file is rewritten in the current format at the next snapshot.
      if (manifest.shards.some((s) => !s.keysFile)) tenant.journaled++;
    }
    // Replaying the journal on top of the snapshot is idempotent (a put replaces, a delete removes).
    for (const line of journal) {
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

  /** A shard from its snapshot: the graph memory-mapped, the key maps read as they were written. */
  private async shardFromFiles(dir: string, file: string, keysFile: string, dims: number): Promise<Shard> {
    const sections = await readSections(join(dir, keysFile), KEYS_FORMAT);
    if (!sections) throw new Error(`${keysFile} is missing from ${dir}; rebuild the index with \`npm run memory -- reembed\``);
    const [nextId, live] = view(Float64Array, sections[0]) as unknown as number[];
    const index = newIndex(dims, this.expansionSearch);
    index.view(join(dir, file));
    return {
      index,
      viewed: join(dir, file),
      dims,
      keys: new KeyTable({ offsets: view(Int32Array, sections[1]), bytes: view(Uint8Array, sections[2]), slots: view(Int32Array, sections[3]) }),
      // Copies (a few hundred kilobytes): these change with every write.
      idOf: view(Int32Array, sections[4]).slice(),
      keyOf: view(Int32Array, sections[5]).slice(),
      nextId: nextId as number,
      live: live as number,
    };
  }

  /** A shard from a manifest written before the keys file (its keys as a JSON list). */
  private shardFromList(dir: string, file: string, dims: number, list: readonly [string, string][], nextId: number): Shard {
    const shard = newShard(dims, this.expansionSearch);
    shard.index.load(join(dir, file));
    shard.nextId = nextId;
    shard.keyOf = new Int32Array(nextId).fill(-1);
    for (const [id, key] of list) {
      const k = shard.keys.intern(key);
      growKeys(shard, k);
      shard.idOf[k] = Number(id);
      shard.keyOf[Number(id)] = k;
      shard.live++;
    }
    return shard;
  }

  private applyPut(tenant: Tenant, model: string, given: readonly IndexedVector[]): void {
    // One vector per key (the last one given).
    const vectors = given.length > 1 ? [...new Map(given.map((v) => [v.key, v])).values()] : given;
    const dims = (vectors[0] as IndexedVector).vector.length;
    // A key has one vector: a put under a new model (after a model change) leaves no old one behind.
    for (const [other, shard] of tenant.shards) if (other !== model) removeKeys(shard, vectors.map((v) => v.key));
    let shard = tenant.shards.get(model);
    if (shard && shard.dims !== dims) {
      tenant.shards.delete(model);
      shard = undefined;
    }
    if (!shard) tenant.shards.set(model, (shard = newShard(dims, this.expansionSearch)));
    writable(shard, this.expansionSearch);
    removeKeys(shard, vectors.map((v) => v.key));
    const ids = new BigUint64Array(vectors.length);
    const matrix = new Float32Array(vectors.length * dims);
    vectors.forEach((v, i) => {
      const k = shard.keys.intern(v.key);
      growKeys(shard, k);
      // A new usearch key each time: usearch does not find a key added again after its removal.
      const id = shard.nextId++;
      shard.idOf[k] = id;
      if (id >= shard.keyOf.length) {
        const before = shard.keyOf.length;
        shard.keyOf = grown(shard.keyOf, id + 1);
        shard.keyOf.fill(-1, before);
      }
      shard.keyOf[id] = k;
      shard.live++;
      ids[i] = BigInt(id);
      matrix.set(v.vector, i * dims);
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

  /** Writes every shard (graph and key maps) and the manifest under a new generation, then empties the journal and drops the old files. */
  private async snapshot(tenantId: string, tenant: Tenant): Promise<void> {
    const dir = this.dir(tenantId);
    const generation = tenant.generation + 1;
    const shards: Manifest['shards'][number][] = [];
    let i = 0;
    for (const [model, shard] of tenant.shards) {
      writable(shard, this.expansionSearch);
      const file = `vectors-${generation}-${i}.usearch`;
      const keysFile = `vectors-${generation}-${i++}.keys`;
      shard.index.save(join(dir, file));
      const parts = shard.keys.parts();
      await writeSections(join(dir, keysFile), KEYS_FORMAT, [
        Float64Array.of(shard.nextId, shard.live),
        parts.offsets,
        parts.bytes,
        parts.slots,
        shard.idOf.subarray(0, shard.keys.size),
        shard.keyOf.subarray(0, shard.nextId),
      ]);
      shards.push({ model, file, keysFile, dims: shard.dims, nextId: String(shard.nextId) });
    }
    await writeAtomically(join(dir, MANIFEST), `${JSON.stringify({ generation, shards } satisfies Manifest)}\n`);
    await writeAtomically(join(dir, JOURNAL), '');
    for (let j = 0; j < 64; j++) {
      await rm(join(dir, `vectors-${tenant.generation}-${j}.usearch`), { force: true });
      await rm(join(dir, `vectors-${tenant.generation}-${j}.keys`), { force: true });
    }
    tenant.generation = generation;
    tenant.journaled = 0;
  }
}

function newIndex(dims: number, expansionSearch: number): UsearchIndex {
  return new usearch.Index({
    dimensions: dims,
    metric: usearch.MetricKind.Cos,
    quantization: usearch.ScalarKind.F16,
    connectivity: HNSW.connectivity,
    expansion_add: HNSW.expansionAdd,
    expansion_search: expansionSearch,
    multi: false,
  });
}

function newShard(dims: number, expansionSearch: number): Shard {
  return { index: newIndex(dims, expansionSearch), viewed: undefined, dims, keys: new KeyTable(), idOf: new Int32Array(1024).fill(-1), keyOf: new Int32Array(1024).fill(-1), nextId: 1, live: 0 };
}

/** Makes a memory-mapped shard writable: its snapshot is loaded into memory (usearch `load`). */
function writable(shard: Shard, expansionSearch: number): void {
  // A removal only unlinks keys (removeKeys): a mapped graph stays mapped until a vector is added.
  if (!shard.viewed) return;
  const index = newIndex(shard.dims, expansionSearch);
  index.load(shard.viewed);
  shard.index = index;
  shard.viewed = undefined;
}

/** Room in idOf for key number `k` (new entries −1). */
function growKeys(shard: Shard, k: number): void {
  if (k < shard.idOf.length) return;
  const before = shard.idOf.length;
  shard.idOf = grown(shard.idOf, k + 1);
  shard.idOf.fill(-1, before);
}

/**
 * Unlinks the keys from their usearch keys. The graph keeps their nodes:
 * usearch's own removal leaves later vectors unreachable after enough
 * churn (a key put again was no longer found at all), while a removed
 * node kept in place still routes searches to its neighbours; queries
 * skip it. Such nodes stay until the tenant's index is rebuilt.
 */
function removeKeys(shard: Shard, keys: readonly string[]): void {
  for (const key of keys) {
    const k = shard.keys.find(key);
    const id = k < 0 || k >= shard.idOf.length ? -1 : (shard.idOf[k] as number);
    if (id < 0 || shard.keyOf[id] !== k) continue;
    shard.keyOf[id] = -1;
    shard.live--;
  }
}
