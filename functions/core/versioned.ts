import { ConflictError, PreconditionFailedError } from './errors.js';
import type { Item, ItemKey, Precondition, Store } from '../ports/store.js';

/** What one versioned update did: the item as it now stands, and whether this call wrote it. */
export interface Updated {
  readonly item: Item;
  readonly changed: boolean;
}

export interface UpdateOptions {
  /** How many read → mutate → write rounds before giving up (default 8). */
  readonly attempts?: number;
  /** What the item is, for the ConflictError when every attempt lost a race (e.g. "workflow run r-1"). */
  readonly what?: string;
  /** The item to start from when none is stored (then it is written only if still absent); without it a missing item returns undefined. */
  readonly create?: () => Item;
  /** Waits after a lost race before the next round (e.g. a jittered backoff for hot items); default: none. */
  readonly backoff?: (attempt: number) => Promise<void>;
  /**
   * For items that carry no `version` (inbox messages): the precondition that
   * says "unchanged since read" for this item (e.g. its `read` flag as read).
   * Then the helper neither checks nor sets `version`.
   */
  readonly guard?: (current: Item) => Precondition;
}

/**
 * The one optimistic-concurrency update: read the item, let `mutate` derive
 * the next state (or `undefined` for "no change"), write it only if its
 * `version` is still the one read, and start again on a lost race, a bounded
 * number of times. The helper sets `version` itself. Returns undefined when
 * the item does not exist; `mutate` may throw to refuse (nothing is written).
 */
export async function updateVersioned(store: Store, key: ItemKey, mutate: (current: Item) => Item | undefined | Promise<Item | undefined>, options: UpdateOptions = {}): Promise<Updated | undefined> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const stored = await store.get(key);
    if (!stored && !options.create) return undefined;
    const current = stored ?? { ...(options.create as () => Item)(), pk: key.pk, sk: key.sk, version: 0 };
    const next = await mutate(current);
    if (!next) return { item: current, changed: false };
    const version = versionOf(current);
    const guard = options.guard?.(current);
    const written: Item = guard ? { ...next, pk: key.pk, sk: key.sk } : { ...next, pk: key.pk, sk: key.sk, version: version + 1 };
    try {
      await store.put(written, stored ? (guard ?? { kind: 'version', version }) : { kind: 'absent' });
      return { item: written, changed: true };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      if (options.backoff && attempt < attempts - 1) await options.backoff(attempt + 1);
    }
  }
  throw new ConflictError(`${options.what ?? `item ${key.sk}`} is changing concurrently; try again`);
}

/**
 * Writes `next` over `current` only if nobody changed it since it was read
 * (one round of updateVersioned, for callers that decide per attempt what to
 * publish). Returns the written item, or undefined when the race was lost.
 */
export async function putIfUnchanged(store: Store, current: Item, next: Item): Promise<Item | undefined> {
  const version = versionOf(current);
  const written: Item = { ...next, version: version + 1 };
  try {
    await store.put(written, { kind: 'version', version });
    return written;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return undefined;
    throw error;
  }
}

function versionOf(item: Item): number {
  return typeof item.version === 'number' ? item.version : Number(item.version ?? 0);
}

/** One stored entity's decoder and encoder (each entity keeps its codec next to its use cases). */
export interface Codec<T> {
  /** A stored item as the typed record (fields checked and defaulted once, here). */
  decode(item: Item): T;
  /** The typed record as the item to store, keys included. */
  encode(record: T): Item;
}

export interface RecordUpdateOptions<T> extends Omit<UpdateOptions, 'create'> {
  /** The record to start from when none is stored (create-if-absent: written only if still absent). */
  readonly create?: () => T;
}

/** updateVersioned over a typed record: `mutate` sees and returns the record, never the raw item. */
export async function updateRecord<T>(store: Store, key: ItemKey, codec: Codec<T>, mutate: (current: T) => T | undefined | Promise<T | undefined>, options: RecordUpdateOptions<T> = {}): Promise<{ record: T; changed: boolean } | undefined> {
  const { create, ...rest } = options;
  const updated = await updateVersioned(
    store,
    key,
    async (item) => {
      const next = await mutate(codec.decode(item));
      return next === undefined ? undefined : codec.encode(next);
    },
    { ...rest, ...(create ? { create: () => codec.encode(create()) } : {}) },
  );
  return updated && { record: codec.decode(updated.item), changed: updated.changed };
}

/** The field readers codecs decode with (strict: a malformed item is refused, never coerced). */
export { field, malformed, MalformedRecordError } from './fields.js';
