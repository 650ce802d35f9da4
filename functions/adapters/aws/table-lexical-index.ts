import { idf, termScore } from '../../contracts/bm25.js';
import type { LexicalDocument, LexicalIndex, LexicalResult } from '../../ports/lexical-index.js';
import type { Item, ItemKey, Store } from '../../ports/store.js';

/**
 * The LexicalIndex port as per-term postings in the table (through the Store
 * port, so DynamoDB in AWS and dynalite in tests), read per search term,
 * never per tenant:
 *
 *   T#<tenant>#LEX#<term>  #DF        document frequency of the term (atomic counter)
 *   T#<tenant>#LEX#<term>  P#<key>    one posting: tf, document length
 *   T#<tenant>#LEXDOC      D#<key>    the terms indexed for a memory (to remove them later)
 *   T#<tenant>#LEXSTATS    STATS      documents and total length (atomic counters)
 *
 * A search reads, per query term (at most MAX_QUERY_TERMS), the counter and
 * the first POSTINGS_READ postings in one Query, plus the stats item: its
 * cost does not depend on the tenant's size. A term in more memories than
 * that (a common word) contributes to finding candidates through the
 * postings read only; the core still scores every candidate on all its
 * words with the exact document frequency. Rare terms (ids, names), the ones
 * exact lookups need, are always read in full.
 */
export const TABLE_LEXICAL = { postingsRead: 1_000, maxQueryTerms: 24, writeConcurrency: 16 } as const;

const DF = '#DF';
const POSTING = 'P#';

export class TableLexicalIndex implements LexicalIndex {
  readonly name = 'table-postings';

  constructor(private readonly store: Store) {}

  async put(tenantId: string, documents: readonly LexicalDocument[]): Promise<void> {
    for (const document of documents) await this.putOne(tenantId, document);
  }

  async delete(tenantId: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const previous = await this.store.get(docKey(tenantId, key));
      if (!previous) continue;
      const terms = termsOf(previous);
      await parallel(terms, (term) => this.store.delete(postingKey(tenantId, term, key)));
      await parallel(terms, (term) => this.store.increment({ key: dfKey(tenantId, term), add: { df: -1 } }));
      await this.store.increment({ key: statsKey(tenantId), add: { documents: -1, tokens: -Number(previous.length ?? 0) } });
      await this.store.delete(docKey(tenantId, key));
    }
  }

  async search(tenantId: string, terms: readonly string[], topK: number): Promise<LexicalResult> {
    const unique = [...new Set(terms)].slice(0, TABLE_LEXICAL.maxQueryTerms);
    const [stats, ...perTerm] = await Promise.all([
      this.store.get(statsKey(tenantId)),
      ...unique.map((term) => this.store.query({ pk: termPartition(tenantId, term), limit: TABLE_LEXICAL.postingsRead + 1 })),
    ]);
    const documents = Math.max(0, Number(stats?.documents ?? 0));
    const totalLength = Math.max(0, Number(stats?.tokens ?? 0));
    const average = documents ? totalLength / documents : 0;
    const documentFrequency = new Map<string, number>();
    const scores = new Map<string, number>();
    unique.forEach((term, i) => {
      const items = perTerm[i]?.items ?? [];
      const postings = items.filter((item) => item.sk.startsWith(POSTING));
      const counted = Number(items.find((item) => item.sk === DF)?.df ?? 0);
      const df = Math.max(counted, postings.length);
      documentFrequency.set(term, df);
      const w = idf(Math.max(documents, df), df);
      for (const p of postings) {
        const key = String(p.key);
        scores.set(key, (scores.get(key) ?? 0) + termScore(Number(p.tf), Number(p.length), average, w));
      }
    });
    const matches = [...scores].sort((a, b) => b[1] - a[1]).slice(0, topK).map(([key, score]) => ({ key, score }));
    return { matches, stats: { documents, totalLength, documentFrequency } };
  }

  private async putOne(tenantId: string, document: LexicalDocument): Promise<void> {
    const previous = await this.store.get(docKey(tenantId, document.key));
    const before = new Set(previous ? termsOf(previous) : []);
    const after = [...document.terms.keys()];
    const added = after.filter((t) => !before.has(t));
    const removed = [...before].filter((t) => !document.terms.has(t));
    // The postings first (a crash leaves extra postings, which only add candidates), then the counters, then the record of what is indexed.
    const postings: Item[] = after.map((term) => ({
      ...postingKey(tenantId, term, document.key),
      type: 'memory-posting',
      key: document.key,
      tf: document.terms.get(term) as number,
      length: document.length,
    }));
    const batches: Item[][] = [];
    for (let i = 0; i < postings.length; i += 25) batches.push(postings.slice(i, i + 25));
    await parallel(batches, (batch) => this.store.putMany(batch));
    await parallel(removed, (term) => this.store.delete(postingKey(tenantId, term, document.key)));
    await parallel([...added.map((t) => [t, 1] as const), ...removed.map((t) => [t, -1] as const)], ([term, by]) =>
      this.store.increment({ key: dfKey(tenantId, term), add: { df: by } }),
    );
    await this.store.increment({
      key: statsKey(tenantId),
      add: { documents: previous ? 0 : 1, tokens: document.length - Number(previous?.length ?? 0) },
      set: { type: 'memory-lexical-stats' },
    });
    await this.store.put({ ...docKey(tenantId, document.key), type: 'memory-lexical-doc', terms: after, length: document.length });
  }
}

function termsOf(item: Item): string[] {
  return Array.isArray(item.terms) ? item.terms.map(String) : [];
}

function termPartition(tenantId: string, term: string): string {
  return `T#${tenantId}#LEX#${term}`;
}

function postingKey(tenantId: string, term: string, key: string): ItemKey {
  return { pk: termPartition(tenantId, term), sk: `${POSTING}${key}` };
}

function dfKey(tenantId: string, term: string): ItemKey {
  return { pk: termPartition(tenantId, term), sk: DF };
}

function docKey(tenantId: string, key: string): ItemKey {
  return { pk: `T#${tenantId}#LEXDOC`, sk: `D#${key}` };
}

function statsKey(tenantId: string): ItemKey {
  return { pk: `T#${tenantId}#LEXSTATS`, sk: 'STATS' };
}

async function parallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(TABLE_LEXICAL.writeConcurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
    }),
  );
}
