import { join } from 'node:path';
import { idf, termScore } from '../../contracts/bm25.js';
import type { LexicalDocument, LexicalIndex, LexicalResult } from '../../ports/lexical-index.js';
import { appendLines, ensureDir, readLines, Serial, tenantDir, writeAtomically } from './index-files.js';

export interface LocalLexicalIndexOptions {
  /** Where the index persists (one directory per tenant); omit for an in-memory index (tests). */
  readonly dir?: string;
}

/** One term's postings: document numbers and term frequencies in growable typed arrays; removed documents are skipped, then compacted away. */
interface Posting {
  docs: Int32Array;
  tfs: Uint16Array;
  size: number;
  /** Postings of live documents. */
  live: number;
}

interface Tenant {
  readonly terms: Map<string, Posting>;
  readonly byKey: Map<string, number>;
  /** Per document number: its key, length and journal line (undefined once removed: the line names its terms). */
  readonly keys: string[];
  lengths: Int32Array;
  readonly lines: (string | undefined)[];
  live: number;
  totalLength: number;
  /** Journal lines; the journal is compacted when far longer than the live documents. */
  journalLines: number;
}

const JOURNAL = 'lexical.journal';
const TF_MAX = 65_535;

/**
 * The local lexical index: a compact inverted index per tenant (typed-array
 * postings), persisted in the data dir as a journal of documents (a line per
 * put or delete) that is compacted to the live documents when it grows, so
 * a restart replays postings instead of re-reading and re-tokenizing every
 * memory. Tenants load on first use.
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
      for (const d of documents) apply(tenant, d);
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
    const unique = [...new Set(terms)];
    const average = tenant.live ? tenant.totalLength / tenant.live : 0;
    const documentFrequency = new Map<string, number>();
    const scores = new Map<number, number>();
    for (const term of unique) {
      const posting = tenant.terms.get(term);
      documentFrequency.set(term, posting?.live ?? 0);
      if (!posting || posting.live === 0) continue;
      if (posting.size > 2 * posting.live + 16) compact(tenant, posting);
      const w = idf(tenant.live, posting.live);
      for (let i = 0; i < posting.size; i++) {
        const doc = posting.docs[i] as number;
        if (tenant.lines[doc] === undefined) continue;
        scores.set(doc, (scores.get(doc) ?? 0) + termScore(posting.tfs[i] as number, tenant.lengths[doc] as number, average, w));
      }
    }
    const matches = [...scores].sort((a, b) => b[1] - a[1]).slice(0, topK).map(([doc, score]) => ({ key: tenant.keys[doc] as string, score }));
    return { matches, stats: { documents: tenant.live, totalLength: tenant.totalLength, documentFrequency } };
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
    const tenant: Tenant = { terms: new Map(), byKey: new Map(), keys: [], lengths: new Int32Array(1024), lines: [], live: 0, totalLength: 0, journalLines: 0 };
    if (!this.options.dir) return tenant;
    await ensureDir(tenantDir(this.options.dir, tenantId));
    for (const text of await readLines(this.journal(tenantId))) {
      const document = parse(text);
      if (typeof document === 'string') remove(tenant, document);
      else if (document) apply(tenant, document);
      tenant.journalLines++;
    }
    return tenant;
  }

  private async journaled(tenantId: string, tenant: Tenant, lines: number): Promise<void> {
    if (!this.options.dir) return;
    tenant.journalLines += lines;
    if (tenant.journalLines < 2 * tenant.live + 10_000) return;
    // Compaction: the live documents only, written atomically over the journal.
    const out: string[] = [];
    for (const doc of tenant.byKey.values()) out.push(tenant.lines[doc] as string);
    await writeAtomically(this.journal(tenantId), out.length ? `${out.join('\n')}\n` : '');
    tenant.journalLines = out.length;
  }
}

function line(d: LexicalDocument): string {
  const terms = [...d.terms].map(([t, tf]) => `${t}\u0001${tf}`).join(' ');
  return `P\t${JSON.stringify(d.key)}\t${d.length}\t${terms}`;
}

/** A put document, a deleted key, or undefined for a line that cannot be read. */
function parse(text: string): LexicalDocument | string | undefined {
  const [op, key, length, terms] = text.split('\t');
  if (op === 'D' && key) return JSON.parse(key) as string;
  if (op !== 'P' || !key || length === undefined) return undefined;
  const map = new Map<string, number>();
  for (const pair of (terms ?? '').split(' ')) {
    if (!pair) continue;
    const at = pair.indexOf('\u0001');
    map.set(pair.slice(0, at), Number(pair.slice(at + 1)));
  }
  return { key: JSON.parse(key) as string, length: Number(length), terms: map };
}

function apply(tenant: Tenant, document: LexicalDocument): void {
  remove(tenant, document.key);
  const doc = tenant.keys.length;
  tenant.keys.push(document.key);
  if (doc >= tenant.lengths.length) {
    const grown = new Int32Array(tenant.lengths.length * 2);
    grown.set(tenant.lengths);
    tenant.lengths = grown;
  }
  tenant.lengths[doc] = document.length;
  for (const [term, tf] of document.terms) {
    let posting = tenant.terms.get(term);
    if (!posting) tenant.terms.set(term, (posting = { docs: new Int32Array(4), tfs: new Uint16Array(4), size: 0, live: 0 }));
    if (posting.size === posting.docs.length) {
      const docs = new Int32Array(posting.size * 2);
      docs.set(posting.docs);
      const tfs = new Uint16Array(posting.size * 2);
      tfs.set(posting.tfs);
      posting.docs = docs;
      posting.tfs = tfs;
    }
    posting.docs[posting.size] = doc;
    posting.tfs[posting.size] = Math.min(tf, TF_MAX);
    posting.size++;
    posting.live++;
  }
  tenant.lines[doc] = line(document);
  tenant.byKey.set(document.key, doc);
  tenant.live++;
  tenant.totalLength += document.length;
}

function remove(tenant: Tenant, key: string): void {
  const doc = tenant.byKey.get(key);
  if (doc === undefined) return;
  const document = parse(tenant.lines[doc] as string);
  if (document && typeof document !== 'string') for (const term of document.terms.keys()) (tenant.terms.get(term) as Posting).live--;
  tenant.lines[doc] = undefined;
  tenant.byKey.delete(key);
  tenant.live--;
  tenant.totalLength -= tenant.lengths[doc] as number;
}

function compact(tenant: Tenant, posting: Posting): void {
  let j = 0;
  for (let i = 0; i < posting.size; i++) {
    const doc = posting.docs[i] as number;
    if (tenant.lines[doc] === undefined) continue;
    posting.docs[j] = doc;
    posting.tfs[j] = posting.tfs[i] as number;
    j++;
  }
  posting.size = j;
}
