import type { Item, Store } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { idf, termScore, tokenize } from './lexical.js';
import { fromItem, lexicalText, type MemoryRecord } from './model.js';
import { fuse, type RankingMode } from './ranking.js';
import { decodeVector } from './vectors.js';

/**
 * A per-process, per-tenant search index over a tenant's memories: decoded
 * vectors and BM25 postings, so that a search reads no memory items at all
 * when nothing changed (one GetItem of the revision counter).
 *
 * Freshness. Every memory write puts the item (GSI1 key = its write time)
 * and THEN atomically bumps the tenant's revision counter. An index keeps a
 * *settled point* (time t, revision r): every write counted in r is applied.
 * On each search it reads the counter R:
 *   - R = r: nothing was written since; the settled point becomes (now, r).
 *   - every revision in (r, R] was written by this process (and applied by
 *     the writer): settled point becomes (now, R); done.
 *   - otherwise it re-reads, through GSI1, the items written since
 *     t − WRITE_WINDOW_MS (a write takes its time before its counter bump,
 *     and clocks differ a little) and applies those newer than what it holds
 *     (items carry a per-key `version`). The settled point advances to
 *     (t', R') once a re-read ran LAG_MS after R' was observed at t', which
 *     covers GSI propagation (eventually consistent, normally well under a second).
 * A full load reads the partition with a strongly consistent Query after
 * reading the counter, so it starts settled.
 *
 * A forgotten memory is written as a tombstone with a higher version: the
 * index drops the key and remembers the version, so a late read of an older
 * version cannot bring it back. Search also re-reads its results with a
 * strongly consistent read before returning them (search-memories.ts), so a
 * memory forgotten anywhere is never returned, whatever the index's lag.
 */
export const FRESHNESS = {
  /** Longest time from a write's timestamp to its counter bump (including clock skew between instances). */
  WRITE_WINDOW_MS: 60_000,
  /** How long after a write is counted it is surely visible in GSI1. */
  LAG_MS: 5_000,
  /** While unsettled and the counter has not moved, re-read at most this often. */
  RECHECK_MS: 250,
} as const;

/** Tenant indexes kept per process (least recently used dropped first). */
const MAX_TENANTS = 32;

interface Entry {
  readonly record: MemoryRecord;
  /** Where its vector sits in the slab (every entry has a slot, with or without a vector). */
  readonly slot: number;
  readonly updatedMs: number;
  readonly terms: Map<string, number>;
  readonly length: number;
}

export interface RankQuery {
  readonly text: string;
  /** The query's unit vector; absent when it could not be embedded (lexical ranking only). */
  readonly vector?: Float32Array;
  /** The model and dimension of `vector`: only memory vectors of the same model are compared with it. */
  readonly model: string;
  readonly dims: number;
  /** Only memories carrying every one of these tags. */
  readonly tags?: readonly string[];
  readonly mode: RankingMode;
  readonly minScore: number;
  readonly limit: number;
}

export interface Ranked {
  readonly record: MemoryRecord;
  readonly score: number;
  /** Cosine with the query; null when not compared (no query vector, or the memory has none of this model). */
  readonly semantic: number | null;
  /** BM25 scaled to [0, 1] by the query's best lexical match. */
  readonly lexical: number;
}

/**
 * The in-memory index of one tenant's active memories. Vectors live in one
 * int8 slab (a slot per memory, scales alongside) so that scoring 10,000 of
 * them is one tight loop; BM25 postings map each term to its memories.
 */
export class TenantMemoryIndex {
  private readonly entries = new Map<string, Entry>();
  /** Keys seen forgotten, with the tombstone's version. */
  private readonly forgotten = new Map<string, number>();
  private readonly postings = new Map<string, Map<Entry, number>>();
  private totalLength = 0;
  /** Keys of memories waiting for a vector. */
  private readonly pending = new Set<string>();
  /** How many memories hold a vector of each `model/dims`. */
  private readonly perModel = new Map<string, number>();
  private bySlot: (Entry | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Per slot: the vector's model and dimension (undefined: no vector), its scale, and its int8 values at slot × width. */
  private models: (string | undefined)[] = [];
  private dims: number[] = [];
  private scales = new Float32Array(0);
  private slab = new Int8Array(0);
  private width = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Applies a stored version of a memory unless a newer one is already known. */
  apply(record: MemoryRecord): void {
    const held = this.entries.get(record.key);
    const heldVersion = held?.record.version ?? this.forgotten.get(record.key) ?? -1;
    if (record.version <= heldVersion) return;
    if (held) this.remove(held);
    if (record.state === 'forgotten') {
      this.forgotten.set(record.key, record.version);
      return;
    }
    this.forgotten.delete(record.key);
    const terms = new Map<string, number>();
    const tokens = tokenize(lexicalText(record));
    for (const token of tokens) terms.set(token, (terms.get(token) ?? 0) + 1);
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const entry: Entry = { record, slot, updatedMs: Date.parse(record.updatedAt) || 0, terms, length: tokens.length };
    this.entries.set(record.key, entry);
    this.bySlot[slot] = entry;
    this.storeVector(slot, record);
    this.totalLength += entry.length;
    this.count(record, 1);
    for (const [token, tf] of terms) {
      let posting = this.postings.get(token);
      if (!posting) this.postings.set(token, (posting = new Map()));
      posting.set(entry, tf);
    }
  }

  get(key: string): MemoryRecord | undefined {
    return this.entries.get(key)?.record;
  }

  /** Active memories, newest update first (then by key). */
  newestFirst(filter: (record: MemoryRecord) => boolean): MemoryRecord[] {
    return [...this.entries.values()]
      .filter((e) => filter(e.record))
      .sort((a, b) => b.updatedMs - a.updatedMs || (a.record.key < b.record.key ? -1 : 1))
      .map((e) => e.record);
  }

  /** Keys of memories waiting for a vector (`embedding: pending`). */
  pendingKeys(limit = Infinity): string[] {
    const out: string[] = [];
    for (const key of this.pending) {
      if (out.length >= limit) break;
      out.push(key);
    }
    return out;
  }

  /** How many active memories have no vector comparable with `model` (pending or another model's). */
  unembedded(model: string, dims: number): number {
    return this.entries.size - (this.perModel.get(`${model}/${dims}`) ?? 0);
  }

  private count(record: MemoryRecord, by: 1 | -1): void {
    if (record.embedding === 'pending' || !record.vector) {
      if (by > 0) this.pending.add(record.key);
      else this.pending.delete(record.key);
      return;
    }
    const id = `${record.vector.model}/${record.vector.dims}`;
    this.perModel.set(id, (this.perModel.get(id) ?? 0) + by);
  }

  /** Scores every active memory passing the tag filter; returns the best `limit` at or above `minScore`, best first. */
  rank(query: RankQuery): Ranked[] {
    const slots = this.bySlot.length;
    const lexical = new Float64Array(slots);
    const best = this.bm25(query.text, lexical);
    const semantic = new Float64Array(slots).fill(Number.NaN);
    const vector = query.mode === 'lexical' ? undefined : query.vector;
    if (vector && vector.length === query.dims && this.width === query.dims) this.cosines(vector, query.model, semantic);
    const mode: RankingMode = query.vector === undefined ? 'lexical' : query.mode;
    const tags = query.tags ?? [];
    const top: { slot: number; score: number }[] = [];
    for (let slot = 0; slot < slots; slot++) {
      const entry = this.bySlot[slot];
      if (!entry) continue;
      const s = semantic[slot] as number;
      const l = best > 0 ? (lexical[slot] as number) / best : 0;
      const score = fuse(mode, Number.isNaN(s) ? undefined : s, l);
      if (score < query.minScore || score <= 0) continue;
      if (top.length === query.limit && score <= (top[top.length - 1] as { score: number }).score) continue;
      if (tags.length && !tags.every((t) => entry.record.tags.includes(t))) continue;
      let i = top.length;
      while (i > 0 && (top[i - 1] as { score: number }).score < score) i--;
      top.splice(i, 0, { slot, score });
      if (top.length > query.limit) top.pop();
    }
    return top.map(({ slot, score }) => {
      const s = semantic[slot] as number;
      return {
        record: (this.bySlot[slot] as Entry).record,
        score,
        semantic: Number.isNaN(s) ? null : s,
        lexical: best > 0 ? (lexical[slot] as number) / best : 0,
      };
    });
  }

  /** Cosine of the query with every vector of its model, into `out` by slot (NaN elsewhere). */
  private cosines(query: Float32Array, model: string, out: Float64Array): void {
    const width = this.width;
    const slab = this.slab;
    const q = Float64Array.from(query);
    const unrolled = width - (width % 4);
    for (let slot = 0; slot < out.length; slot++) {
      if (this.models[slot] !== model || this.dims[slot] !== width) continue;
      // Four accumulators: the loop is the hot path of a search (10,000 × 512 products).
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      const base = slot * width;
      let d = 0;
      for (; d < unrolled; d += 4) {
        const o = base + d;
        a += (q[d] as number) * (slab[o] as number);
        b += (q[d + 1] as number) * (slab[o + 1] as number);
        c += (q[d + 2] as number) * (slab[o + 2] as number);
        e += (q[d + 3] as number) * (slab[o + 3] as number);
      }
      for (; d < width; d++) a += (q[d] as number) * (slab[base + d] as number);
      out[slot] = (a + b + c + e) * (this.scales[slot] as number);
    }
  }

  /** BM25 of every memory sharing a term with the text, into `out` by slot; returns the best score. */
  private bm25(text: string, out: Float64Array): number {
    const n = this.entries.size;
    if (n === 0) return 0;
    const average = this.totalLength / n;
    for (const token of new Set(tokenize(text))) {
      const posting = this.postings.get(token);
      if (!posting) continue;
      const w = idf(n, posting.size);
      for (const [entry, tf] of posting) out[entry.slot] = (out[entry.slot] as number) + termScore(tf, entry.length, average, w);
    }
    let best = 0;
    for (const x of out) if (x > best) best = x;
    return best;
  }

  private storeVector(slot: number, record: MemoryRecord): void {
    const vector = record.embedding === 'ready' && record.vector ? decodeVector(record.vector.bytes, record.vector.dims) : undefined;
    if (vector && this.width === 0) this.width = vector.values.length;
    if (slot >= this.scales.length) {
      const capacity = Math.max(64, this.scales.length * 2, slot + 1);
      const scales = new Float32Array(capacity);
      scales.set(this.scales);
      this.scales = scales;
      if (this.width > 0) {
        const slab = new Int8Array(capacity * this.width);
        slab.set(this.slab);
        this.slab = slab;
      }
    } else if (this.width > 0 && this.slab.length < this.scales.length * this.width) {
      const slab = new Int8Array(this.scales.length * this.width);
      slab.set(this.slab);
      this.slab = slab;
    }
    // A vector of another width than the slab's cannot be compared with the slab's queries: kept unindexed.
    if (!vector || vector.values.length !== this.width || !record.vector) {
      this.models[slot] = undefined;
      return;
    }
    this.models[slot] = record.vector.model;
    this.dims[slot] = record.vector.dims;
    this.scales[slot] = vector.scale;
    this.slab.set(vector.values, slot * this.width);
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.record.key);
    this.bySlot[entry.slot] = undefined;
    this.models[entry.slot] = undefined;
    this.freeSlots.push(entry.slot);
    this.totalLength -= entry.length;
    this.count(entry.record, -1);
    for (const token of entry.terms.keys()) {
      const posting = this.postings.get(token);
      posting?.delete(entry);
      if (posting?.size === 0) this.postings.delete(token);
    }
  }
}

interface Point {
  readonly at: number;
  readonly rev: number;
}

/** One tenant's index in this process with its freshness state. */
class Handle {
  readonly index = new TenantMemoryIndex();
  settled: Point = { at: 0, rev: 0 };
  candidate: Point | undefined;
  lastReread: Point | undefined;
  /** Revisions this process wrote (and applied) beyond the settled point. */
  readonly local = new Set<number>();
  refreshing: Promise<void> | undefined;
  ready: Promise<void> | undefined;
}

const registry = new WeakMap<Store, Map<string, Handle>>();

function handles(store: Store): Map<string, Handle> {
  let map = registry.get(store);
  if (!map) registry.set(store, (map = new Map()));
  return map;
}

/**
 * The tenant's index in this process, loaded on first use and refreshed
 * (see FRESHNESS) before it is returned.
 */
export async function memoryIndex(deps: Pick<Deps, 'store' | 'clock'>, tenantId: string): Promise<TenantMemoryIndex> {
  const map = handles(deps.store);
  let handle = map.get(tenantId);
  if (handle) {
    map.delete(tenantId);
    map.set(tenantId, handle);
  } else {
    handle = new Handle();
    map.set(tenantId, handle);
    for (const stale of map.keys()) {
      if (map.size <= MAX_TENANTS) break;
      map.delete(stale);
    }
    const fresh = handle;
    fresh.ready = load(deps, tenantId, fresh).catch((error: unknown) => {
      if (map.get(tenantId) === fresh) map.delete(tenantId);
      throw error;
    });
  }
  await handle.ready;
  handle.refreshing ??= refresh(deps, tenantId, handle).finally(() => {
    (handle as Handle).refreshing = undefined;
  });
  await handle.refreshing;
  return handle.index;
}

/** The tenant's index if this process has loaded it (nothing is read). */
export function loadedMemoryIndex(deps: Pick<Deps, 'store'>, tenantId: string): TenantMemoryIndex | undefined {
  return registry.get(deps.store)?.get(tenantId)?.index;
}

/**
 * Applies records this process just wrote to the tenant's index, if this
 * process holds one, and marks their revisions as applied here: `revision`
 * is the counter's value after the bump, `added` how much the bump added.
 * Call it right after the counter bump.
 */
export function noteLocalWrite(deps: Pick<Deps, 'store'>, tenantId: string, records: readonly MemoryRecord[], revision: number, added: number): void {
  const handle = registry.get(deps.store)?.get(tenantId);
  if (!handle) return;
  for (const record of records) handle.index.apply(record);
  for (let r = revision - added + 1; r <= revision; r++) if (r > handle.settled.rev) handle.local.add(r);
}

/** Reads the tenant's memory revision counter (strongly consistent). */
export async function readRevision(store: Store, tenantId: string): Promise<number> {
  const item = await store.get(keys.memoryRevision(tenantId));
  return Number(item?.revision ?? 0);
}

/** Counts writes: bump the counter AFTER the items are written; returns the new revision. */
export async function bumpRevision(deps: Pick<Deps, 'store' | 'clock'>, tenantId: string, by = 1): Promise<number> {
  const item = await deps.store.increment({
    key: keys.memoryRevision(tenantId),
    add: { revision: by },
    set: { type: 'memory-revision', changed_at: new Date(deps.clock.now()).toISOString() },
  });
  return Number(item.revision);
}

async function load(deps: Pick<Deps, 'store' | 'clock'>, tenantId: string, handle: Handle): Promise<void> {
  const at = deps.clock.now();
  const rev = await readRevision(deps.store, tenantId);
  for await (const item of pages(deps.store, { pk: keys.memories(tenantId), skPrefix: keys.memoryPrefix })) handle.index.apply(fromItem(item));
  handle.settled = { at, rev };
}

async function refresh(deps: Pick<Deps, 'store' | 'clock'>, tenantId: string, handle: Handle): Promise<void> {
  const at = deps.clock.now();
  const rev = await readRevision(deps.store, tenantId);
  if (rev <= handle.settled.rev) {
    // Nothing new: every write counted now is applied, so the settled point moves to now.
    settle(handle, { at, rev: handle.settled.rev });
    return;
  }
  let allLocal = handle.candidate === undefined;
  for (let r = handle.settled.rev + 1; allLocal && r <= rev; r++) allLocal = handle.local.has(r);
  if (allLocal) {
    settle(handle, { at, rev });
    return;
  }
  handle.candidate ??= { at, rev };
  if (handle.lastReread?.rev === rev && at - handle.lastReread.at < FRESHNESS.RECHECK_MS) return;
  const from = keys.memoryChangeTime(handle.settled.at - FRESHNESS.WRITE_WINDOW_MS);
  for await (const item of pages(deps.store, { pk: keys.memoryChanges(tenantId), index: 'gsi1', skBetween: [from, '9999999999999~'] })) {
    handle.index.apply(fromItem(item));
  }
  handle.lastReread = { at, rev };
  if (at >= handle.candidate.at + FRESHNESS.LAG_MS) {
    const reached = handle.candidate;
    settle(handle, reached);
    if (rev > reached.rev) handle.candidate = { at, rev };
  }
}

function settle(handle: Handle, point: Point): void {
  handle.settled = point;
  handle.candidate = undefined;
  for (const r of handle.local) if (r <= point.rev) handle.local.delete(r);
}

async function* pages(store: Store, query: Parameters<Store['query']>[0]): AsyncGenerator<Item> {
  let cursor: string | undefined;
  do {
    const page = await store.query({ ...query, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}
