import type { Item, Query } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { fromItem } from '../memory/model.js';
import { field } from '../versioned.js';

/**
 * Completions for the ids a client types into a resource template or a
 * prompt argument: decision ids, run ids and memory keys of one tenant.
 * Each answer is ONE indexed query on the tenant's own partition (nothing
 * of another tenant can be reached), bounded to `COMPLETION_LIMIT` values.
 */

/** The most values one completion returns (the MCP limit is 100). */
export const COMPLETION_LIMIT = 100;
/** The longest prefix looked up; longer input completes to nothing. */
const MAX_PREFIX = 256;

/** Ids are time-ordered: 10 characters of base-32 milliseconds, then 16 random (runtime/ids.ts). */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_TIME_CHARS = 10;
/** How far the index's creation time may differ from the time in the id (both are read from the clock, a moment apart). */
const SKEW_MS = 5_000;

/**
 * The GSI1 sort-key range (`<ISO time>#<id>`) holding every id that starts
 * with `prefix`: the prefix fixes the leading digits of the id's time. A
 * prefix that cannot start an id gives undefined (nothing can match).
 */
export function idTimeRange(prefix: string): readonly [string, string] | undefined {
  const head = prefix.slice(0, ID_TIME_CHARS);
  if (![...prefix].every((c) => ID_ALPHABET.includes(c))) return undefined;
  const decode = (digits: string) => [...digits].reduce((n, c) => n * 32 + ID_ALPHABET.indexOf(c), 0);
  const low = decode(head.padEnd(ID_TIME_CHARS, '0'));
  const high = decode(head.padEnd(ID_TIME_CHARS, 'z'));
  const iso = (ms: number) => new Date(Math.min(Math.max(ms, 0), 8.64e15)).toISOString();
  return [iso(low - SKEW_MS), `${iso(high + SKEW_MS)}\uffff`];
}

async function idsFromIndex(deps: Deps, indexPk: string, attribute: string, prefix: string): Promise<string[]> {
  if (prefix.length > MAX_PREFIX) return [];
  const range = prefix ? idTimeRange(prefix) : undefined;
  if (prefix && !range) return [];
  const query: Query = { index: 'gsi1', pk: indexPk, descending: true, limit: COMPLETION_LIMIT * 2, ...(range ? { skBetween: range } : {}) };
  const page = await deps.store.query(query);
  return page.items
    .map((item: Item) => field.str(item, attribute))
    .filter((id) => id.startsWith(prefix))
    .slice(0, COMPLETION_LIMIT);
}

/** Decision ids of the tenant starting with `prefix`, newest first. */
export function completeDecisionIds(deps: Deps, tenantId: string, prefix: string): Promise<string[]> {
  return idsFromIndex(deps, keys.decisions(tenantId), 'decision_id', prefix);
}

/** Workflow run ids of the tenant starting with `prefix`, newest first. */
export function completeRunIds(deps: Deps, tenantId: string, prefix: string): Promise<string[]> {
  return idsFromIndex(deps, keys.runs(tenantId), 'run_id', prefix);
}

/** Keys of the tenant's active memories starting with `prefix`, in key order (forgotten ones are left out). */
export async function completeMemoryKeys(deps: Deps, tenantId: string, prefix: string): Promise<string[]> {
  if (prefix.length > MAX_PREFIX) return [];
  const page = await deps.store.query({ pk: keys.memories(tenantId), skPrefix: `${keys.memoryPrefix}${prefix}`, limit: COMPLETION_LIMIT * 2 });
  return page.items
    .map(fromItem)
    .filter((memory) => memory.state !== 'forgotten')
    .map((memory) => memory.key)
    .slice(0, COMPLETION_LIMIT);
}

/** Fixed vocabularies (role names, workflow names) filtered by prefix. */
export function completeFrom(values: readonly string[], prefix: string): string[] {
  return values.filter((value) => value.startsWith(prefix)).slice(0, COMPLETION_LIMIT);
}
