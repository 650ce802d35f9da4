import type { Deps } from '../context.js';
import { PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';
import type { LexicalDocument } from '../../ports/lexical-index.js';
import { tokenize } from './lexical.js';
import { fromItem, lexicalText, type MemoryRecord } from './model.js';
import { decodeVector } from './vectors.js';

/**
 * Keeping the search indexes (Deps.vectors, Deps.lexicon) in step with the
 * table, which stays the source of truth.
 *
 * Order of a write: (1) mark the key unindexed, (2) write the memory item,
 * (3) put its vector and postings (or delete them, for a forgotten memory),
 * (4) clear the mark if it still names this version. A crash or an index
 * failure between (1) and (4) leaves the mark: the pending-embedding retry
 * path (embed-pending.ts: each search runs a small batch, `npm run memory --
 * embed-pending` runs them all) re-reads the memory and redoes (3) and (4).
 * A memory stored while the embedder fails keeps its mark until it has a
 * vector. Search re-reads every hit from the table, so an index that lags
 * can add a candidate but never return a stale or forgotten memory.
 */
export const INDEX_LIMITS = {
  /** Distinct terms indexed per memory (scoring uses all of them; see lexicalDocument). */
  termsPerMemory: 256,
  /** Longer tokens (pasted blobs) are not indexed. */
  termChars: 100,
} as const;

/** The index's model tag: vectors are only compared with vectors of the same model and dimension. */
export function modelTag(modelId: string, dimensions: number): string {
  return `${modelId}/${dimensions}`;
}

/** Term frequencies of a memory's lexical text (key, tags, content) and its length in tokens. */
export function termCounts(record: Pick<MemoryRecord, 'key' | 'tags' | 'content'>): { terms: Map<string, number>; length: number } {
  const tokens = tokenize(lexicalText(record));
  const terms = new Map<string, number>();
  for (const token of tokens) terms.set(token, (terms.get(token) ?? 0) + 1);
  return { terms, length: tokens.length };
}

/**
 * What the lexical index holds for a memory: at most INDEX_LIMITS.termsPerMemory
 * distinct terms, ids first (compounds and tokens with digits, the terms exact
 * lookups need), then the key's and tags' words, then the most frequent.
 * A long memory is still scored on every word once it is a candidate.
 */
export function lexicalDocument(record: Pick<MemoryRecord, 'key' | 'tags' | 'content'>): LexicalDocument {
  const { terms, length } = termCounts(record);
  const usable = [...terms].filter(([t]) => t.length <= INDEX_LIMITS.termChars);
  if (usable.length <= INDEX_LIMITS.termsPerMemory) return { key: record.key, terms: new Map(usable), length };
  const named = new Set(tokenize(`${record.key} ${record.tags.join(' ')}`));
  const rank = ([t, tf]: [string, number]) => (/\d|[-_./:#]/.test(t) ? 0 : named.has(t) ? 1 : 2) * 1e6 - tf;
  usable.sort((a, b) => rank(a) - rank(b));
  return { key: record.key, terms: new Map(usable.slice(0, INDEX_LIMITS.termsPerMemory)), length };
}

/**
 * Counts a write's change (before → after) in the tenant's counters: active
 * memories, and memories holding a vector of each model, so a search can say
 * how many memories it cannot compare by meaning without reading them.
 */
export async function countChange(deps: Pick<Deps, 'store'>, tenantId: string, before: MemoryRecord | undefined, after: MemoryRecord): Promise<void> {
  const add: Record<string, number> = {};
  const bump = (name: string, by: number) => (add[name] = (add[name] ?? 0) + by);
  for (const [record, by] of [
    [before, -1],
    [after, 1],
  ] as const) {
    if (record?.state !== 'active') continue;
    bump('active', by);
    if (record.embedding === 'ready' && record.vector) bump(counterOf(record.vector.model, record.vector.dims), by);
  }
  for (const [name, by] of Object.entries(add)) if (by === 0) delete add[name];
  if (Object.keys(add).length > 0) await deps.store.increment({ key: keys.memoryCounts(tenantId), add, set: { type: 'memory-counts' } });
}

/** Active memories with no vector of this model (pending, or another model's: run `npm run memory -- reembed`). */
export async function unembeddedCount(deps: Pick<Deps, 'store'>, tenantId: string, modelId: string, dimensions: number): Promise<number> {
  const item = await deps.store.get(keys.memoryCounts(tenantId));
  const counts = item ? memoryCountsCodec(tenantId).decode(item) : { active: 0, vectors: {} };
  return Math.max(0, counts.active - (counts.vectors[counterOf(modelId, dimensions)] ?? 0));
}

/** The tenant's memory counters (atomic increments): active memories, and those with a vector of each model (`vectors_<model tag>`). */
export interface MemoryCountsRecord {
  readonly active: number;
  readonly vectors: Readonly<Record<string, number>>;
}

export function memoryCountsCodec(tenantId: string): Codec<MemoryCountsRecord> {
  return {
    decode: (i) => ({
      active: field.num(i, 'active'),
      vectors: Object.fromEntries(Object.keys(i).filter((name) => name.startsWith('vectors_')).map((name) => [name, field.num(i, name)])),
    }),
    encode: (c) => ({ ...keys.memoryCounts(tenantId), type: 'memory-counts', active: c.active, ...c.vectors }),
  };
}

/** A key marked unindexed at a version: its index entries are about to change (cleared once they did). */
export interface UnindexedMark {
  readonly key: string;
  readonly version: number;
}

export function unindexedCodec(tenantId: string): Codec<UnindexedMark> {
  return {
    decode: (i) => ({ key: field.reqStr(i, 'key'), version: field.num(i, 'version') }),
    encode: (m) => ({ ...keys.memoryUnindexed(tenantId, m.key), type: 'memory-unindexed', ...m }),
  };
}

function counterOf(modelId: string, dimensions: number): string {
  return `vectors_${modelTag(modelId, dimensions).replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Step (1): marks a key whose index entries are about to change. */
export async function markUnindexed(deps: Pick<Deps, 'store'>, tenantId: string, key: string, version: number): Promise<void> {
  await deps.store.put(unindexedCodec(tenantId).encode({ key, version }));
}

/**
 * Steps (3) and (4) for memories just read or written: puts vectors and
 * postings of the active ones (by model), deletes the forgotten ones from
 * both indexes, then clears the marks of those that are fully indexed.
 * Never throws: an index failure is logged and the marks stay for the retry path.
 * Returns the keys fully indexed.
 */
export async function indexRecords(deps: Deps, tenantId: string, records: readonly MemoryRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  const active = records.filter((r) => r.state === 'active');
  const gone = records.filter((r) => r.state !== 'active').map((r) => r.key);
  const byModel = new Map<string, { key: string; vector: Float32Array }[]>();
  for (const r of active) {
    const vector = r.embedding === 'ready' && r.vector ? decodeVector(r.vector.bytes, r.vector.dims) : undefined;
    if (!vector || !r.vector) continue;
    const tag = modelTag(r.vector.model, r.vector.dims);
    const values = new Float32Array(vector.values.length);
    for (let i = 0; i < values.length; i++) values[i] = (vector.values[i] as number) * vector.scale;
    let list = byModel.get(tag);
    if (!list) byModel.set(tag, (list = []));
    list.push({ key: r.key, vector: values });
  }
  try {
    await Promise.all([
      deps.lexicon.put(tenantId, active.map(lexicalDocument)),
      deps.lexicon.delete(tenantId, gone),
      deps.vectors.delete(tenantId, gone),
      ...[...byModel].map(([tag, vectors]) => deps.vectors.put(tenantId, tag, vectors)),
    ]);
  } catch (error) {
    deps.log.warn('memory search index not updated; the retry path will redo it', { tenant_id: tenantId, keys: records.length, error: String(error) });
    return [];
  }
  const done = records.filter((r) => r.state !== 'active' || (r.embedding === 'ready' && r.vector));
  await Promise.all(done.map((r) => clearMark(deps, tenantId, r)));
  return done.map((r) => r.key);
}

/** Step (4): deletes the mark unless a newer write has marked the key again. */
async function clearMark(deps: Pick<Deps, 'store'>, tenantId: string, record: MemoryRecord): Promise<void> {
  try {
    // A key with no item at all (version -1, see missing()) has nothing newer to wait for.
    await deps.store.delete(keys.memoryUnindexed(tenantId, record.key), record.version < 0 ? undefined : { kind: 'equals', attributes: { version: record.version } });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}

/** Re-reads the named memories from the table and indexes what is stored now (a key with no item is removed from both indexes). */
export async function reindexKeys(deps: Deps, tenantId: string, memoryKeys: readonly string[]): Promise<string[]> {
  const records: MemoryRecord[] = [];
  for (let i = 0; i < memoryKeys.length; i += 100) {
    const batch = memoryKeys.slice(i, i + 100);
    const items = await deps.store.getMany(batch.map((k) => keys.memory(tenantId, k)));
    const found = new Map(items.map(fromItem).map((record) => [record.key, record]));
    for (const key of batch) records.push(found.get(key) ?? { ...missing(key) });
  }
  return indexRecords(deps, tenantId, records);
}

/** A stand-in for a key with no item at all: handled like a forgotten memory (removed from the indexes, mark cleared). */
function missing(key: string): MemoryRecord {
  return { key, state: 'forgotten', version: -1, content: '', tags: [], metadata: {}, author: 'ceo', createdBy: 'ceo', createdAt: '', updatedAt: '', embedding: 'pending' };
}

/** Keys marked unindexed (oldest key order, up to `limit`). */
export async function unindexedKeys(deps: Pick<Deps, 'store'>, tenantId: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.memoriesUnindexed(tenantId), limit: Math.min(100, limit - out.length), ...(cursor ? { cursor } : {}) });
    for (const item of page.items) out.push(unindexedCodec(tenantId).decode(item).key);
    cursor = page.cursor;
  } while (cursor && out.length < limit);
  return out.slice(0, limit);
}
