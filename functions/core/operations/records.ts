import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';

/** One page of a record listing. */
export interface RecordPage<T> {
  readonly items: T[];
  /** Pass back as `cursor` for the next page; null when the listing is exhausted. */
  readonly next_cursor: string | null;
}

/** Index pages read per listing call at most, so a sparse filter cannot turn one call into a scan of everything. */
const MAX_PAGES = 20;
const PAGE_SIZE = 50;

/**
 * Lists a record index (`keys.recordIndex`) newest first, keeping the items
 * that match, until `limit` are found or the index is exhausted. Index
 * entries may lag the table: the kept items are re-read (strongly) and
 * filtered again, so a listing never shows a stale status.
 */
export async function listRecords<T>(
  deps: Deps,
  input: { indexPk: string; limit: number; cursor?: string; decode: (item: Item) => T; matches: (record: T) => boolean },
): Promise<RecordPage<T>> {
  const matches = (item: Item): boolean => input.matches(input.decode(item));
  const found: Item[] = [];
  let cursor = input.cursor;
  for (let pages = 0; pages < MAX_PAGES && found.length < input.limit; pages++) {
    const page = await deps.store.query({ index: 'gsi1', pk: input.indexPk, descending: true, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    let stoppedEarly = false;
    for (const [i, item] of page.items.entries()) {
      if (!matches(item)) continue;
      found.push(item);
      if (found.length === input.limit) {
        stoppedEarly = i < page.items.length - 1;
        break;
      }
    }
    cursor = stoppedEarly ? cursorAfter(found[found.length - 1] as Item) : page.cursor;
    if (!cursor) break;
  }
  const fresh = (await rereadAll(deps, found)).map(input.decode);
  return { items: fresh.filter(input.matches), next_cursor: cursor ?? null };
}

/**
 * Every item of a record index that matches, reading the whole index a page
 * at a time (for checks that must see all, e.g. open incidents), re-read
 * strongly. An item written a moment ago may not be in the index yet.
 */
export async function allRecords<T>(deps: Deps, indexPk: string, decode: (item: Item) => T, matches: (record: T) => boolean): Promise<T[]> {
  const found: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ index: 'gsi1', pk: indexPk, descending: true, limit: 100, ...(cursor ? { cursor } : {}) });
    found.push(...page.items.filter((item) => matches(decode(item))));
    cursor = page.cursor;
  } while (cursor);
  return (await rereadAll(deps, found)).map(decode).filter(matches);
}

/** Re-reads items from the table in their original order; items deleted meanwhile are dropped. */
async function rereadAll(deps: Deps, items: readonly Item[]): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < items.length; i += 100) {
    const batch = items.slice(i, i + 100);
    const fresh = await deps.store.getMany(batch.map((item) => ({ pk: item.pk, sk: item.sk })));
    const byKey = new Map(fresh.map((item) => [`${item.pk}\u0000${item.sk}`, item]));
    for (const item of batch) {
      const current = byKey.get(`${item.pk}\u0000${item.sk}`);
      if (current) out.push(current);
    }
  }
  return out;
}

/** The store's cursor format (its last evaluated key) for resuming right after `item` in the index. */
function cursorAfter(item: Item): string {
  return Buffer.from(JSON.stringify({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk })).toString('base64url');
}

/** The ISO time of a clock reading. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Trimmed, non-empty, case-insensitively distinct names. */
export function uniqueNames(names: readonly string[], field: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') throw new ValidationError(`${field} must not contain empty names`);
    if (seen.has(name.toLowerCase())) throw new ValidationError(`${field} lists "${name}" twice`);
    seen.add(name.toLowerCase());
    out.push(name);
  }
  if (out.length === 0) throw new ValidationError(`${field} must name at least one`);
  return out;
}
