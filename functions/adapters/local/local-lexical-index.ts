import { join } from 'node:path';
import { idf, termScore } from '../../contracts/bm25.js';
import type { LexicalDocument, LexicalIndex, LexicalResult } from '../../ports/lexical-index.js';
import { appendLines, ensureDir, readLines, readSections, Serial, tenantDir, view, writeAtomically, writeSections, type Section } from './index-files.js';
import { grown, KeyTable } from './key-table.js';

export interface LocalLexicalIndexOptions {
  /** Where the index persists (one directory per tenant); omit for an in-memory index (tests). */
  readonly dir?: string;
  /** Journal entries after which a tenant's index is snapshotted and its journal emptied. */
  readonly snapshotEvery?: number;
}

/** Postings of a term in more than one document: document numbers and term frequencies. */
interface Postings {
  docs: Int32Array;
  tfs: Uint16Array;
}

/**
 * One tenant's inverted index, in flat typed arrays so that 100,000
 * memories with hundreds of thousands of distinct terms (ids are unique
 * terms) cost a few megabytes, not an object per posting or per string,
 * and load from a snapshot with no parsing:
 *   terms, keys:  KeyTable (string ↔ number, key-table.ts);
 *   per term id:  size (postings, removed ones included), live (of live
 *                 documents), the single posting inline, or `more` once a
 *                 second document has the term (from the snapshot's
 *                 postings, `base`, until it changes);
 *   per key id:   its current document (−1: none);
 *   per document: its key id, length, and its (term id, tf) pairs in one
 *                 pool (start, count; count −1 once removed).
 */
interface Tenant {
  terms: KeyTable;
  size: Int32Array;
  live: Int32Array;
  firstDoc: Int32Array;
  firstTf: Uint16Array;
  readonly more: (Postings | undefined)[];
  /** The snapshot's postings of terms in two documents or more (CSR: start per term, then docs and tfs). */
  base: { start: Int32Array; docs: Int32Array; tfs: Uint16Array } | undefined;
  keys: KeyTable;
  docOfKey: Int32Array;
  keyOfDoc: Int32Array;
  docs: number;
  lengths: Int32Array;
  starts: Int32Array;
  counts: Int32Array;
  poolTerms: Int32Array;
  poolTfs: Uint16Array;
  poolUsed: number;
  liveDocs: number;
  totalLength: number;
  /** Journal entries since the snapshot. */
  journaled: number;
  /** Per-document score accumulator of a search (reused). */
  scores: Float64Array;
}

const JOURNAL = 'lexical.journal';
const SNAPSHOT = 'lexical.snapshot';
/** The snapshot's own format number (index-files.ts writeSections). */
const SNAPSHOT_FORMAT = 1;
const TF_MAX = 65_535;

/**
 * The local lexical index: a compact inverted index per tenant, persisted
 * in the data dir as a binary snapshot (the arrays above as they sit in
 * memory, compacted to the live documents) plus a journal of the documents
 * put and deleted since (a line each), so a restart reads one file and
 * replays a short journal instead of re-reading and re-tokenizing every
 * memory. A snapshot is taken every `snapshotEvery` journal entries and on
 * flush (shutdown). A data dir from before snapshots (a journal alone) is
 * replayed and snapshotted at the next flush. Tenants load on first use.
 */
export class LocalLexicalIndex implements LexicalIndex {
  readonly name = 'postings';
  private readonly tenants = new Map<string, Promise<Tenant>>();
  private readonly serial = new Serial();
  private readonly snapshotEvery: number;

  constructor(private readonly options: LocalLexicalIndexOptions = {}) {
    this.snapshotEvery = options.snapshotEvery ?? 20_000;
  }

  put(tenantId: string, documents: readonly LexicalDocument[]): Promise<void> {
    if (documents.length === 0) return Promise.resolve();
    return this.serial.run(tenantId, async () => {
      const tenant = await this.tenant(tenantId);
      if (this.options.dir) await appendLines(this.file(tenantId, JOURNAL), documents.map(line));
      for (const d of documents) apply(tenant, d.key, d.length, [...d.terms]);
      await this.journaled(tenantId, tenant, documents.length);
    });
  }

  delete(tenantId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.serial.run(tenantId, async () => {
      const tenant = await this.tenant(tenantId);
      if (this.options.dir) await appendLines(this.file(tenantId, JOURNAL), keys.map((k) => `D\t${JSON.stringify(k)}`));
      for (const k of keys) remove(tenant, k);
      await this.journaled(tenantId, tenant, keys.length);
    });
  }

  async search(tenantId: string, terms: readonly string[], topK: number): Promise<LexicalResult> {
    const tenant = await this.tenant(tenantId);
    const average = tenant.liveDocs ? tenant.totalLength / tenant.liveDocs : 0;
    const documentFrequency = new Map<string, number>();
    if (tenant.scores.length < tenant.docs) tenant.scores = new Float64Array(Math.max(tenant.docs, tenant.scores.length * 2));
    const scores = tenant.scores;
    const touched: number[] = [];
    const add = (doc: number, tf: number, w: number) => {
      if ((tenant.counts[doc] as number) < 0) return;
      if (scores[doc] === 0) touched.push(doc);
      scores[doc] = (scores[doc] as number) + termScore(tf, tenant.lengths[doc] as number, average, w);
    };
    for (const term of new Set(terms)) {
      const t = tenant.terms.find(term);
      const df = t < 0 ? 0 : (tenant.live[t] as number);
      documentFrequency.set(term, df);
      if (t < 0 || df === 0) continue;
      const w = idf(tenant.liveDocs, df);
      const more = postingsOf(tenant, t);
      if (!more) add(tenant.firstDoc[t] as number, tenant.firstTf[t] as number, w);
      else {
        if ((tenant.size[t] as number) > 2 * df + 16) compact(tenant, t, more);
        const size = tenant.size[t] as number;
        for (let i = 0; i < size; i++) add(more.docs[i] as number, more.tfs[i] as number, w);
      }
    }
    const best = topOf(touched, scores, topK);
    const matches = best.map((doc) => ({ key: tenant.keys.keyOf(tenant.keyOfDoc[doc] as number), score: scores[doc] as number }));
    for (const doc of touched) scores[doc] = 0;
    return { matches, stats: { documents: tenant.liveDocs, totalLength: tenant.totalLength, documentFrequency } };
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

  private file(tenantId: string, name: string): string {
    return join(tenantDir(this.options.dir as string, tenantId), name);
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
    if (!this.options.dir) return emptyTenant();
    await ensureDir(tenantDir(this.options.dir, tenantId));
    const sections = await readSections(this.file(tenantId, SNAPSHOT), SNAPSHOT_FORMAT);
    const tenant = sections ? fromSnapshot(sections) : emptyTenant();
    // Replaying the journal on top of the snapshot is idempotent (a put replaces, a delete removes).
    for (const text of await readLines(this.file(tenantId, JOURNAL))) {
      replay(tenant, text);
      tenant.journaled++;
    }
    return tenant;
  }

  private async journaled(tenantId: string, tenant: Tenant, entries: number): Promise<void> {
    if (!this.options.dir) return;
    tenant.journaled += entries;
    if (tenant.journaled >= this.snapshotEvery) await this.snapshot(tenantId, tenant);
  }

  /** Compacts the tenant to its live documents, writes the snapshot atomically, then empties the journal (a crash in between replays it again: harmless). */
  private async snapshot(tenantId: string, tenant: Tenant): Promise<void> {
    Object.assign(tenant, compactAll(tenant));
    await writeSections(this.file(tenantId, SNAPSHOT), SNAPSHOT_FORMAT, toSections(tenant));
    await writeAtomically(this.file(tenantId, JOURNAL), '');
    tenant.journaled = 0;
  }
}

function emptyTenant(): Tenant {
  return {
    terms: new KeyTable(),
    size: new Int32Array(1024),
    live: new Int32Array(1024),
    firstDoc: new Int32Array(1024),
    firstTf: new Uint16Array(1024),
    more: [],
    base: undefined,
    keys: new KeyTable(),
    docOfKey: new Int32Array(1024).fill(-1),
    keyOfDoc: new Int32Array(1024),
    docs: 0,
    lengths: new Int32Array(1024),
    starts: new Int32Array(1024),
    counts: new Int32Array(1024),
    poolTerms: new Int32Array(16_384),
    poolTfs: new Uint16Array(16_384),
    poolUsed: 0,
    liveDocs: 0,
    totalLength: 0,
    journaled: 0,
    scores: new Float64Array(1024),
  };
}

/** The snapshot's sections of a compacted tenant (compactAll), in the order fromSnapshot reads them. */
function toSections(t: Tenant): Section[] {
  const terms = t.terms.parts();
  const keys = t.keys.parts();
  const termCount = t.terms.size;
  const base = t.base as NonNullable<Tenant['base']>;
  return [
    Float64Array.of(t.docs, t.poolUsed, t.liveDocs, t.totalLength),
    terms.offsets,
    terms.bytes,
    terms.slots,
    keys.offsets,
    keys.bytes,
    keys.slots,
    t.docOfKey.subarray(0, t.keys.size),
    t.keyOfDoc.subarray(0, t.docs),
    t.lengths.subarray(0, t.docs),
    t.starts.subarray(0, t.docs),
    t.counts.subarray(0, t.docs),
    t.poolTerms.subarray(0, t.poolUsed),
    t.poolTfs.subarray(0, t.poolUsed),
    t.size.subarray(0, termCount),
    t.live.subarray(0, termCount),
    t.firstDoc.subarray(0, termCount),
    t.firstTf.subarray(0, termCount),
    base.start,
    base.docs,
    base.tfs,
  ];
}

function fromSnapshot(s: Uint8Array[]): Tenant {
  const [docs, poolUsed, liveDocs, totalLength] = view(Float64Array, s[0]) as unknown as number[];
  const terms = new KeyTable({ offsets: view(Int32Array, s[1]), bytes: view(Uint8Array, s[2]), slots: view(Int32Array, s[3]) });
  const keys = new KeyTable({ offsets: view(Int32Array, s[4]), bytes: view(Uint8Array, s[5]), slots: view(Int32Array, s[6]) });
  return {
    terms,
    size: view(Int32Array, s[14]),
    live: view(Int32Array, s[15]),
    firstDoc: view(Int32Array, s[16]),
    firstTf: view(Uint16Array, s[17]),
    more: new Array<Postings | undefined>(terms.size),
    base: { start: view(Int32Array, s[18]), docs: view(Int32Array, s[19]), tfs: view(Uint16Array, s[20]) },
    keys,
    docOfKey: view(Int32Array, s[7]),
    keyOfDoc: view(Int32Array, s[8]),
    docs: docs as number,
    lengths: view(Int32Array, s[9]),
    starts: view(Int32Array, s[10]),
    counts: view(Int32Array, s[11]),
    poolTerms: view(Int32Array, s[12]),
    poolTfs: view(Uint16Array, s[13]),
    poolUsed: poolUsed as number,
    liveDocs: liveDocs as number,
    totalLength: totalLength as number,
    journaled: 0,
    scores: new Float64Array(docs as number),
  };
}

/** The term's postings list once it has had two documents or more (from the snapshot's block on first use); undefined while it has one, inline. */
function postingsOf(tenant: Tenant, t: number): Postings | undefined {
  let more = tenant.more[t];
  if (more) return more;
  const base = tenant.base;
  if (!base || t + 1 >= base.start.length) return undefined;
  const from = base.start[t] as number;
  const to = base.start[t + 1] as number;
  if (to - from < 2) return undefined;
  // Views into the snapshot's block: appending grows them into arrays of their own (grown() copies).
  more = { docs: base.docs.subarray(from, to), tfs: base.tfs.subarray(from, to) };
  tenant.more[t] = more;
  return more;
}

/** The documents with the `k` highest scores, best first (ties: lower document first). */
function topOf(docs: readonly number[], scores: Float64Array, k: number): number[] {
  const byScore = (a: number, b: number) => (scores[b] as number) - (scores[a] as number) || a - b;
  if (docs.length <= 4 * k) return [...docs].sort(byScore).slice(0, k);
  // Only what reaches the k-th best score needs sorting.
  const values = Float64Array.from(docs, (d) => scores[d] as number).sort();
  const threshold = values[values.length - k] as number;
  return docs.filter((d) => (scores[d] as number) >= threshold).sort(byScore).slice(0, k);
}

function line(d: LexicalDocument): string {
  return `P\t${JSON.stringify(d.key)}\t${d.length}\t${[...d.terms].map(([t, tf]) => `${t}\u0001${tf}`).join(' ')}`;
}

/** Applies one journal line (a line that cannot be read, such as a torn write, is skipped). */
function replay(tenant: Tenant, text: string): void {
  const tab1 = text.indexOf('\t');
  const op = text.slice(0, tab1);
  if (op === 'D') {
    remove(tenant, JSON.parse(text.slice(tab1 + 1)) as string);
    return;
  }
  const [, key, length, terms] = text.split('\t');
  if (op !== 'P' || !key || length === undefined) return;
  const pairs: [string, number][] = [];
  for (const pair of (terms ?? '').split(' ')) {
    if (!pair) continue;
    const at = pair.indexOf('\u0001');
    pairs.push([pair.slice(0, at), Number(pair.slice(at + 1))]);
  }
  apply(tenant, JSON.parse(key) as string, Number(length), pairs);
}

function termId(tenant: Tenant, term: string): number {
  const t = tenant.terms.intern(term);
  tenant.size = grown(tenant.size, t + 1);
  tenant.live = grown(tenant.live, t + 1);
  tenant.firstDoc = grown(tenant.firstDoc, t + 1);
  tenant.firstTf = grown(tenant.firstTf, t + 1);
  return t;
}

function apply(tenant: Tenant, key: string, length: number, terms: readonly (readonly [string, number])[]): void {
  remove(tenant, key);
  const k = tenant.keys.intern(key);
  if (k >= tenant.docOfKey.length) {
    const before = tenant.docOfKey.length;
    tenant.docOfKey = grown(tenant.docOfKey, k + 1);
    tenant.docOfKey.fill(-1, before);
  }
  const doc = tenant.docs++;
  tenant.keyOfDoc = grown(tenant.keyOfDoc, doc + 1);
  tenant.lengths = grown(tenant.lengths, doc + 1);
  tenant.starts = grown(tenant.starts, doc + 1);
  tenant.counts = grown(tenant.counts, doc + 1);
  tenant.keyOfDoc[doc] = k;
  tenant.docOfKey[k] = doc;
  tenant.lengths[doc] = length;
  tenant.starts[doc] = tenant.poolUsed;
  tenant.counts[doc] = terms.length;
  tenant.poolTerms = grown(tenant.poolTerms, tenant.poolUsed + terms.length);
  tenant.poolTfs = grown(tenant.poolTfs, tenant.poolUsed + terms.length);
  for (const [term, rawTf] of terms) {
    const tf = Math.min(rawTf, TF_MAX);
    const t = termId(tenant, term);
    tenant.poolTerms[tenant.poolUsed] = t;
    tenant.poolTfs[tenant.poolUsed] = tf;
    tenant.poolUsed++;
    const size = tenant.size[t] as number;
    let more = postingsOf(tenant, t);
    if (size === 0 && !more) {
      tenant.firstDoc[t] = doc;
      tenant.firstTf[t] = tf;
    } else {
      if (!more) {
        more = { docs: new Int32Array(4), tfs: new Uint16Array(4) };
        more.docs[0] = tenant.firstDoc[t] as number;
        more.tfs[0] = tenant.firstTf[t] as number;
        tenant.more[t] = more;
      }
      more.docs = grown(more.docs, size + 1);
      more.tfs = grown(more.tfs, size + 1);
      more.docs[size] = doc;
      more.tfs[size] = tf;
    }
    tenant.size[t] = size + 1;
    tenant.live[t] = (tenant.live[t] as number) + 1;
  }
  tenant.liveDocs++;
  tenant.totalLength += length;
}

function remove(tenant: Tenant, key: string): void {
  const k = tenant.keys.find(key);
  const doc = k < 0 || k >= tenant.docOfKey.length ? -1 : (tenant.docOfKey[k] as number);
  if (doc < 0) return;
  const start = tenant.starts[doc] as number;
  for (let i = 0; i < (tenant.counts[doc] as number); i++) {
    const t = tenant.poolTerms[start + i] as number;
    tenant.live[t] = (tenant.live[t] as number) - 1;
  }
  tenant.counts[doc] = -1;
  tenant.docOfKey[k] = -1;
  tenant.liveDocs--;
  tenant.totalLength -= tenant.lengths[doc] as number;
}

/** Drops the postings of removed documents from a term's list. */
function compact(tenant: Tenant, t: number, more: Postings): void {
  let j = 0;
  const size = tenant.size[t] as number;
  for (let i = 0; i < size; i++) {
    const doc = more.docs[i] as number;
    if ((tenant.counts[doc] as number) < 0) continue;
    more.docs[j] = doc;
    more.tfs[j] = more.tfs[i] as number;
    j++;
  }
  tenant.size[t] = j;
}

/**
 * The tenant with its live documents only, renumbered in order, and every
 * term's postings rebuilt from them into one block (removed documents'
 * postings dropped): what a snapshot holds. Terms and keys keep their numbers.
 */
function compactAll(t: Tenant): Partial<Tenant> {
  const termCount = t.terms.size;
  let docs = 0;
  let pool = 0;
  for (let d = 0; d < t.docs; d++) {
    const count = t.counts[d] as number;
    if (count < 0) continue;
    docs++;
    pool += count;
  }
  const keyOfDoc = new Int32Array(docs);
  const docOfKey = new Int32Array(t.keys.size).fill(-1);
  const lengths = new Int32Array(docs);
  const starts = new Int32Array(docs);
  const counts = new Int32Array(docs);
  const poolTerms = new Int32Array(pool);
  const poolTfs = new Uint16Array(pool);
  const size = new Int32Array(termCount);
  let n = 0;
  let used = 0;
  for (let d = 0; d < t.docs; d++) {
    const count = t.counts[d] as number;
    if (count < 0) continue;
    const k = t.keyOfDoc[d] as number;
    keyOfDoc[n] = k;
    docOfKey[k] = n;
    lengths[n] = t.lengths[d] as number;
    starts[n] = used;
    counts[n] = count;
    const from = t.starts[d] as number;
    poolTerms.set(t.poolTerms.subarray(from, from + count), used);
    poolTfs.set(t.poolTfs.subarray(from, from + count), used);
    for (let i = 0; i < count; i++) {
      const term = t.poolTerms[from + i] as number;
      size[term] = (size[term] as number) + 1;
    }
    used += count;
    n++;
  }
  const start = new Int32Array(termCount + 1);
  let total = 0;
  for (let term = 0; term < termCount; term++) {
    start[term] = total;
    if ((size[term] as number) > 1) total += size[term] as number;
  }
  start[termCount] = total;
  const baseDocs = new Int32Array(total);
  const baseTfs = new Uint16Array(total);
  const filled = new Int32Array(termCount);
  const firstDoc = new Int32Array(termCount);
  const firstTf = new Uint16Array(termCount);
  for (let d = 0; d < docs; d++) {
    const from = starts[d] as number;
    for (let i = 0; i < (counts[d] as number); i++) {
      const term = poolTerms[from + i] as number;
      const tf = poolTfs[from + i] as number;
      if ((size[term] as number) === 1) {
        firstDoc[term] = d;
        firstTf[term] = tf;
      } else {
        const at = (start[term] as number) + (filled[term] as number);
        filled[term] = (filled[term] as number) + 1;
        baseDocs[at] = d;
        baseTfs[at] = tf;
      }
    }
  }
  return {
    docs,
    keyOfDoc,
    docOfKey,
    lengths,
    starts,
    counts,
    poolTerms,
    poolTfs,
    poolUsed: pool,
    size,
    live: size.slice(),
    firstDoc,
    firstTf,
    more: new Array<Postings | undefined>(termCount),
    base: { start, docs: baseDocs, tfs: baseTfs },
    scores: new Float64Array(docs),
  };
}
