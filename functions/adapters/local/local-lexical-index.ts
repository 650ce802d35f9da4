import { join } from 'node:path';
import { idf, termScore } from '../../contracts/bm25.js';
import type { LexicalDocument, LexicalIndex, LexicalResult } from '../../ports/lexical-index.js';
import { appendLines, ensureDir, readLines, Serial, tenantDir, writeAtomically } from './index-files.js';

export interface LocalLexicalIndexOptions {
  /** Where the index persists (one directory per tenant); omit for an in-memory index (tests). */
  readonly dir?: string;
}

/** Postings of a term in more than one document: document numbers and term frequencies. */
interface Postings {
  docs: Int32Array;
  tfs: Uint16Array;
}

/**
 * One tenant's inverted index, in flat typed arrays so that 100,000
 * memories with hundreds of thousands of distinct terms (ids are unique
 * terms) cost tens of megabytes, not an object per posting:
 *   per term id:  size (postings, removed ones included), live (of live
 *                 documents), the single posting inline, or `more` once a
 *                 second document has the term;
 *   per document: key, length, and its (term id, tf) pairs in one pool
 *                 (start, count; count −1 once removed).
 */
interface Tenant {
  readonly termIds: Map<string, number>;
  readonly termNames: string[];
  size: Int32Array;
  live: Int32Array;
  firstDoc: Int32Array;
  firstTf: Uint16Array;
  readonly more: (Postings | undefined)[];
  readonly byKey: Map<string, number>;
  readonly keys: string[];
  lengths: Int32Array;
  starts: Int32Array;
  counts: Int32Array;
  poolTerms: Int32Array;
  poolTfs: Uint16Array;
  poolUsed: number;
  liveDocs: number;
  totalLength: number;
  /** Journal lines; the journal is compacted when far longer than the live documents. */
  journalLines: number;
}

const JOURNAL = 'lexical.journal';
const TF_MAX = 65_535;

/**
 * The local lexical index: a compact inverted index per tenant, persisted
 * in the data dir as a journal of documents (a line per put or delete) that
 * is compacted to the live documents when it grows, so a restart replays
 * postings instead of re-reading and re-tokenizing every memory. Tenants
 * load on first use.
 */
export class LocalLexicalIndex implements LexicalIndex {
  readonly name = 'postings';
  private readonly tenants = new Map<string, Promise<Tenant>>();
  private readonly serial = new Serial();

  constructor(private readonly options: LocalLexicalIndexOptions = {}) {}

  put(tenantId: string, documents: readonly LexicalDocument[]): Promise<void> {
    if (documents.length === 0) return Promise.resolve();
    return this.serial.run(tenantId, async () => {
      const tenant = await this.tenant(tenantId);
      if (this.options.dir) await appendLines(this.journal(tenantId), documents.map(line));
      for (const d of documents) apply(tenant, d.key, d.length, [...d.terms]);
      await this.journaled(tenantId, tenant, documents.length);
    });
  }

  delete(tenantId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.serial.run(tenantId, async () => {
      const tenant = await this.tenant(tenantId);
      if (this.options.dir) await appendLines(this.journal(tenantId), keys.map((k) => `D\t${JSON.stringify(k)}`));
      for (const k of keys) remove(tenant, k);
      await this.journaled(tenantId, tenant, keys.length);
    });
  }

  async search(tenantId: string, terms: readonly string[], topK: number): Promise<LexicalResult> {
    const tenant = await this.tenant(tenantId);
    const average = tenant.liveDocs ? tenant.totalLength / tenant.liveDocs : 0;
    const documentFrequency = new Map<string, number>();
    const scores = new Map<number, number>();
    for (const term of new Set(terms)) {
      const t = tenant.termIds.get(term);
      const df = t === undefined ? 0 : (tenant.live[t] as number);
      documentFrequency.set(term, df);
      if (t === undefined || df === 0) continue;
      const w = idf(tenant.liveDocs, df);
      const add = (doc: number, tf: number) => {
        if ((tenant.counts[doc] as number) < 0) return;
        scores.set(doc, (scores.get(doc) ?? 0) + termScore(tf, tenant.lengths[doc] as number, average, w));
      };
      const more = tenant.more[t];
      if (!more) add(tenant.firstDoc[t] as number, tenant.firstTf[t] as number);
      else {
        if ((tenant.size[t] as number) > 2 * df + 16) compact(tenant, t, more);
        const size = tenant.size[t] as number;
        for (let i = 0; i < size; i++) add(more.docs[i] as number, more.tfs[i] as number);
      }
    }
    const matches = [...scores].sort((a, b) => b[1] - a[1]).slice(0, topK).map(([doc, score]) => ({ key: tenant.keys[doc] as string, score }));
    return { matches, stats: { documents: tenant.liveDocs, totalLength: tenant.totalLength, documentFrequency } };
  }

  private journal(tenantId: string): string {
    return join(tenantDir(this.options.dir as string, tenantId), JOURNAL);
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
    const tenant = emptyTenant();
    if (!this.options.dir) return tenant;
    await ensureDir(tenantDir(this.options.dir, tenantId));
    for (const text of await readLines(this.journal(tenantId))) {
      replay(tenant, text);
      tenant.journalLines++;
    }
    return tenant;
  }

  private async journaled(tenantId: string, tenant: Tenant, lines: number): Promise<void> {
    if (!this.options.dir) return;
    tenant.journalLines += lines;
    if (tenant.journalLines < 2 * tenant.liveDocs + 10_000) return;
    // Compaction: the live documents only, written atomically over the journal.
    const out: string[] = [];
    for (const doc of tenant.byKey.values()) out.push(lineOf(tenant, doc));
    await writeAtomically(this.journal(tenantId), out.length ? `${out.join('\n')}\n` : '');
    tenant.journalLines = out.length;
  }
}

function emptyTenant(): Tenant {
  return {
    termIds: new Map(),
    termNames: [],
    size: new Int32Array(1024),
    live: new Int32Array(1024),
    firstDoc: new Int32Array(1024),
    firstTf: new Uint16Array(1024),
    more: [],
    byKey: new Map(),
    keys: [],
    lengths: new Int32Array(1024),
    starts: new Int32Array(1024),
    counts: new Int32Array(1024),
    poolTerms: new Int32Array(16_384),
    poolTfs: new Uint16Array(16_384),
    poolUsed: 0,
    liveDocs: 0,
    totalLength: 0,
    journalLines: 0,
  };
}

function line(d: LexicalDocument): string {
  return `P\t${JSON.stringify(d.key)}\t${d.length}\t${[...d.terms].map(([t, tf]) => `${t}\u0001${tf}`).join(' ')}`;
}

function lineOf(tenant: Tenant, doc: number): string {
  const start = tenant.starts[doc] as number;
  const parts: string[] = [];
  for (let i = 0; i < (tenant.counts[doc] as number); i++) parts.push(`${tenant.termNames[tenant.poolTerms[start + i] as number]}\u0001${tenant.poolTfs[start + i]}`);
  return `P\t${JSON.stringify(tenant.keys[doc])}\t${tenant.lengths[doc]}\t${parts.join(' ')}`;
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

function grow<T extends Int32Array | Uint16Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

function termId(tenant: Tenant, term: string): number {
  let t = tenant.termIds.get(term);
  if (t !== undefined) return t;
  t = tenant.termNames.length;
  // A fresh copy: a term sliced from a journal line or a memory's text would keep that whole text alive.
  const own = Buffer.from(term, 'utf8').toString('utf8');
  tenant.termIds.set(own, t);
  tenant.termNames.push(own);
  tenant.size = grow(tenant.size, t + 1);
  tenant.live = grow(tenant.live, t + 1);
  tenant.firstDoc = grow(tenant.firstDoc, t + 1);
  tenant.firstTf = grow(tenant.firstTf, t + 1);
  return t;
}

function apply(tenant: Tenant, key: string, length: number, terms: readonly (readonly [string, number])[]): void {
  remove(tenant, key);
  const doc = tenant.keys.length;
  tenant.keys.push(key);
  tenant.lengths = grow(tenant.lengths, doc + 1);
  tenant.starts = grow(tenant.starts, doc + 1);
  tenant.counts = grow(tenant.counts, doc + 1);
  tenant.lengths[doc] = length;
  tenant.starts[doc] = tenant.poolUsed;
  tenant.counts[doc] = terms.length;
  tenant.poolTerms = grow(tenant.poolTerms, tenant.poolUsed + terms.length);
  tenant.poolTfs = grow(tenant.poolTfs, tenant.poolUsed + terms.length);
  for (const [term, rawTf] of terms) {
    const tf = Math.min(rawTf, TF_MAX);
    const t = termId(tenant, term);
    tenant.poolTerms[tenant.poolUsed] = t;
    tenant.poolTfs[tenant.poolUsed] = tf;
    tenant.poolUsed++;
    const size = tenant.size[t] as number;
    let more = tenant.more[t];
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
      more.docs = grow(more.docs, size + 1);
      more.tfs = grow(more.tfs, size + 1);
      more.docs[size] = doc;
      more.tfs[size] = tf;
    }
    tenant.size[t] = size + 1;
    tenant.live[t] = (tenant.live[t] as number) + 1;
  }
  tenant.byKey.set(key, doc);
  tenant.liveDocs++;
  tenant.totalLength += length;
}

function remove(tenant: Tenant, key: string): void {
  const doc = tenant.byKey.get(key);
  if (doc === undefined) return;
  const start = tenant.starts[doc] as number;
  for (let i = 0; i < (tenant.counts[doc] as number); i++) {
    const t = tenant.poolTerms[start + i] as number;
    tenant.live[t] = (tenant.live[t] as number) - 1;
  }
  tenant.counts[doc] = -1;
  tenant.byKey.delete(key);
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
