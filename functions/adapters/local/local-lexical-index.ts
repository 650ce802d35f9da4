import { join } from 'node:path';
import { idf, termScore } from '../../contracts/bm25.js';
import type { LexicalDocument, LexicalIndex, LexicalResult } from '../../ports/lexical-index.js';
import { appendLines, ensureDir, readLines, readVersionedSections, Serial, tenantDir, TenantStates, view, writeAtomically, writeSections, type Section } from './index-files.js';
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
 *   per term id:  size (postings, removed documents' included), the single
 *                 posting inline, or `more` once a second document has the
 *                 term (taken from the snapshot's block, `base`, on first use);
 *   per key id:   its current document (−1: none);
 *   per document: its key id, length, and whether it was removed.
 * A removal only marks its document: a term's document frequency is counted
 * from its live postings when a search reads them, and a list much longer
 * than its live postings is compacted then.
 */
interface Tenant {
  terms: KeyTable;
  size: Int32Array;
  firstDoc: Int32Array;
  firstTf: Uint16Array;
  more: (Postings | undefined)[];
  /** The snapshot's postings of terms in two documents or more (CSR: start per term, then docs and tfs). */
  base: { start: Int32Array; docs: Int32Array; tfs: Uint16Array } | undefined;
  keys: KeyTable;
  docOfKey: Int32Array;
  keyOfDoc: Int32Array;
  docs: number;
  lengths: Int32Array;
  removed: Uint8Array;
  liveDocs: number;
  totalLength: number;
  /** Journal entries since the snapshot. */
  journaled: number;
  /** Per-document score accumulator of a search, and the documents it touched (reused: no garbage per search). */
  scores: Float64Array;
  touched: Int32Array;
}

const JOURNAL = 'lexical.journal';
const SNAPSHOT = 'lexical.snapshot';
/** The snapshot's own format number (index-files.ts writeSections). */
const SNAPSHOT_FORMAT = 2;
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
  private readonly tenants = new TenantStates<Tenant>((tenantId) => this.load(tenantId));
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
    if (tenant.touched.length < tenant.docs) tenant.touched = new Int32Array(tenant.scores.length);
    const { scores, removed, lengths, touched } = tenant;
    let matched = 0;
    for (const term of new Set(terms)) {
      const t = tenant.terms.find(term);
      const more = t < 0 ? undefined : postingsOf(tenant, t);
      if (t < 0 || (!more && (tenant.size[t] === 0 || removed[tenant.firstDoc[t] as number] === 1))) {
        documentFrequency.set(term, 0);
        continue;
      }
      const docs = more ? more.docs : Int32Array.of(tenant.firstDoc[t] as number);
      const tfs = more ? more.tfs : Uint16Array.of(tenant.firstTf[t] as number);
      let size = tenant.size[t] as number;
      let df = 0;
      for (let i = 0; i < size; i++) if (removed[docs[i] as number] === 0) df++;
      if (more && size > 2 * df + 16) size = compact(tenant, t, more);
      documentFrequency.set(term, df);
      if (df === 0) continue;
      const w = idf(tenant.liveDocs, df);
      for (let i = 0; i < size; i++) {
        const doc = docs[i] as number;
        if (removed[doc] === 1) continue;
        if (scores[doc] === 0) touched[matched++] = doc;
        scores[doc] = (scores[doc] as number) + termScore(tfs[i] as number, lengths[doc] as number, average, w);
      }
    }
    const best = topOf(touched.subarray(0, matched), scores, topK);
    const matches = best.map((doc) => ({ key: tenant.keys.keyOf(tenant.keyOfDoc[doc] as number), score: scores[doc] as number }));
    for (let i = 0; i < matched; i++) scores[touched[i] as number] = 0;
    return { matches, stats: { documents: tenant.liveDocs, totalLength: tenant.totalLength, documentFrequency } };
  }

  /** Snapshots every loaded tenant with journal entries (on shutdown). */
  async flush(): Promise<void> {
    if (!this.options.dir) return;
    await this.tenants.flush(this.serial, (tenantId, tenant) => this.snapshot(tenantId, tenant));
  }

  private file(tenantId: string, name: string): string {
    return join(tenantDir(this.options.dir as string, tenantId), name);
  }

  private tenant(tenantId: string): Promise<Tenant> {
    return this.tenants.get(tenantId);
  }

  private async load(tenantId: string): Promise<Tenant> {
    if (!this.options.dir) return emptyTenant();
    await ensureDir(tenantDir(this.options.dir, tenantId));
    const snapshot = await readVersionedSections(this.file(tenantId, SNAPSHOT), [SNAPSHOT_FORMAT, 1]);
    const tenant = snapshot ? fromSnapshot(snapshot.version === 1 ? fromFormat1(snapshot.sections) : snapshot.sections) : emptyTenant();
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
    firstDoc: new Int32Array(1024),
    firstTf: new Uint16Array(1024),
    more: [],
    base: undefined,
    keys: new KeyTable(),
    docOfKey: new Int32Array(1024).fill(-1),
    keyOfDoc: new Int32Array(1024),
    docs: 0,
    lengths: new Int32Array(1024),
    removed: new Uint8Array(1024),
    liveDocs: 0,
    totalLength: 0,
    journaled: 0,
    scores: new Float64Array(1024),
    touched: new Int32Array(1024),
  };
}

/** The snapshot's sections of a compacted tenant (compactAll), in the order fromSnapshot reads them. */
function toSections(t: Tenant): Section[] {
  const terms = t.terms.parts();
  const keys = t.keys.parts();
  const termCount = t.terms.size;
  const base = t.base as NonNullable<Tenant['base']>;
  return [
    Float64Array.of(t.docs, t.liveDocs, t.totalLength),
    terms.offsets,
    terms.bytes,
    terms.slots,
    keys.offsets,
    keys.bytes,
    keys.slots,
    t.docOfKey.subarray(0, t.keys.size),
    t.keyOfDoc.subarray(0, t.docs),
    t.lengths.subarray(0, t.docs),
    t.size.subarray(0, termCount),
    t.firstDoc.subarray(0, termCount),
    t.firstTf.subarray(0, termCount),
    base.start,
    base.docs,
    base.tfs,
  ];
}

/** Format 1 (which also kept each document's terms) as format 2's sections. */
function fromFormat1(s: Uint8Array[]): Uint8Array[] {
  const [docs, , liveDocs, totalLength] = view(Float64Array, s[0]) as unknown as number[];
  const meta = new Uint8Array(Float64Array.of(docs as number, liveDocs as number, totalLength as number).buffer);
  return [meta, ...s.slice(1, 10), s[14], s[16], s[17], s[18], s[19], s[20]] as Uint8Array[];
}

function fromSnapshot(s: Uint8Array[]): Tenant {
  const [docs, liveDocs, totalLength] = view(Float64Array, s[0]) as unknown as number[];
  const terms = new KeyTable({ offsets: view(Int32Array, s[1]), bytes: view(Uint8Array, s[2]), slots: view(Int32Array, s[3]) });
  const keys = new KeyTable({ offsets: view(Int32Array, s[4]), bytes: view(Uint8Array, s[5]), slots: view(Int32Array, s[6]) });
  return {
    terms,
    docOfKey: view(Int32Array, s[7]),
    keyOfDoc: view(Int32Array, s[8]),
    lengths: view(Int32Array, s[9]),
    size: view(Int32Array, s[10]),
    firstDoc: view(Int32Array, s[11]),
    firstTf: view(Uint16Array, s[12]),
    base: { start: view(Int32Array, s[13]), docs: view(Int32Array, s[14]), tfs: view(Uint16Array, s[15]) },
    more: new Array<Postings | undefined>(terms.size),
    keys,
    docs: docs as number,
    removed: new Uint8Array(docs as number),
    liveDocs: liveDocs as number,
    totalLength: totalLength as number,
    journaled: 0,
    scores: new Float64Array(docs as number),
    touched: new Int32Array(docs as number),
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

/** The documents with the `k` highest scores, best first (ties: lower document first), through a heap of the k best so far. */
function topOf(docs: Int32Array, scores: Float64Array, k: number): number[] {
  if (k <= 0) return [];
  /** True when document a ranks below document b. */
  const worse = (a: number, b: number) => (scores[a] as number) < (scores[b] as number) || ((scores[a] as number) === (scores[b] as number) && a > b);
  // A min-heap by rank: its root is the worst document kept.
  const heap: number[] = [];
  const down = (from: number) => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < heap.length && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  for (const doc of docs) {
    if (heap.length < k) {
      heap.push(doc);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i] as number, heap[parent] as number)) break;
        [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
        i = parent;
      }
    } else if (worse(heap[0] as number, doc)) {
      heap[0] = doc;
      down(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
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
  tenant.removed = grown(tenant.removed, doc + 1);
  tenant.keyOfDoc[doc] = k;
  tenant.docOfKey[k] = doc;
  tenant.lengths[doc] = length;
  tenant.removed[doc] = 0;
  for (const [term, rawTf] of terms) {
    const tf = Math.min(rawTf, TF_MAX);
    const t = termId(tenant, term);
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
  }
  tenant.liveDocs++;
  tenant.totalLength += length;
}

function remove(tenant: Tenant, key: string): void {
  const k = tenant.keys.find(key);
  const doc = k < 0 || k >= tenant.docOfKey.length ? -1 : (tenant.docOfKey[k] as number);
  if (doc < 0) return;
  tenant.removed[doc] = 1;
  tenant.docOfKey[k] = -1;
  tenant.liveDocs--;
  tenant.totalLength -= tenant.lengths[doc] as number;
}

/** Drops the postings of removed documents from a term's list; returns its new size. */
function compact(tenant: Tenant, t: number, more: Postings): number {
  let j = 0;
  const size = tenant.size[t] as number;
  for (let i = 0; i < size; i++) {
    const doc = more.docs[i] as number;
    if (tenant.removed[doc] === 1) continue;
    more.docs[j] = doc;
    more.tfs[j] = more.tfs[i] as number;
    j++;
  }
  tenant.size[t] = j;
  return j;
}

/**
 * The tenant with its live documents only, renumbered in order, and every
 * term's postings rebuilt from them into one block (removed documents'
 * postings dropped): what a snapshot holds. Terms and keys keep their numbers.
 */
function compactAll(t: Tenant): Partial<Tenant> {
  const termCount = t.terms.size;
  const renumbered = new Int32Array(t.docs);
  let docs = 0;
  for (let d = 0; d < t.docs; d++) renumbered[d] = t.removed[d] === 1 ? -1 : docs++;
  const keyOfDoc = new Int32Array(docs);
  const docOfKey = new Int32Array(t.keys.size).fill(-1);
  const lengths = new Int32Array(docs);
  for (let d = 0; d < t.docs; d++) {
    const n = renumbered[d] as number;
    if (n < 0) continue;
    const k = t.keyOfDoc[d] as number;
    keyOfDoc[n] = k;
    docOfKey[k] = n;
    lengths[n] = t.lengths[d] as number;
  }
  // Each term's live postings, in document order (renumbering keeps the order).
  const size = new Int32Array(termCount);
  const firstDoc = new Int32Array(termCount);
  const firstTf = new Uint16Array(termCount);
  const start = new Int32Array(termCount + 1);
  const lists: Postings[] = [];
  let total = 0;
  for (let term = 0; term < termCount; term++) {
    start[term] = total;
    const more = postingsOf(t, term);
    const count = t.size[term] as number;
    const liveDocs: number[] = [];
    const liveTfs: number[] = [];
    for (let i = 0; i < count; i++) {
      const doc = more ? (more.docs[i] as number) : (t.firstDoc[term] as number);
      const n = renumbered[doc] as number;
      if (n < 0) continue;
      liveDocs.push(n);
      liveTfs.push(more ? (more.tfs[i] as number) : (t.firstTf[term] as number));
    }
    size[term] = liveDocs.length;
    if (liveDocs.length === 1) {
      firstDoc[term] = liveDocs[0] as number;
      firstTf[term] = liveTfs[0] as number;
    } else if (liveDocs.length > 1) {
      lists.push({ docs: Int32Array.from(liveDocs), tfs: Uint16Array.from(liveTfs) });
      total += liveDocs.length;
    }
  }
  start[termCount] = total;
  const baseDocs = new Int32Array(total);
  const baseTfs = new Uint16Array(total);
  let at = 0;
  for (const list of lists) {
    baseDocs.set(list.docs, at);
    baseTfs.set(list.tfs, at);
    at += list.docs.length;
  }
  return {
    docs,
    keyOfDoc,
    docOfKey,
    lengths,
    removed: new Uint8Array(docs),
    size,
    firstDoc,
    firstTf,
    more: new Array<Postings | undefined>(termCount),
    base: { start, docs: baseDocs, tfs: baseTfs },
    scores: new Float64Array(docs),
    touched: new Int32Array(docs),
  };
}
