import type { IndexName } from '../contracts/table.js';

/** The primary key of a stored item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * A stored item: its key, optional secondary-index keys, and attributes.
 * Attribute values are JSON values (strings, numbers, booleans, null, arrays, objects)
 * or `Uint8Array` for compact binary data.
 */
export interface Item extends ItemKey {
  readonly gsi1pk?: string;
  readonly gsi1sk?: string;
  readonly [attribute: string]: unknown;
}

/**
 * A write precondition, evaluated atomically with the write.
 * - `absent`: no item with this key exists (uniqueness).
 * - `present`: an item with this key exists.
 * - `version`: the stored item's numeric `version` attribute equals this value
 *   (optimistic concurrency; the writer sets the new version itself).
 * - `equals`: each named attribute of the stored item equals the given value.
 */
export type Precondition =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present' }
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'equals'; readonly attributes: Readonly<Record<string, string | number | boolean>> };

/** A query over one item collection (one partition key), optionally through an index. */
export interface Query {
  /** The partition key value (of the index, when `index` is set). */
  readonly pk: string;
  /** Only items whose sort key starts with this prefix. */
  readonly skPrefix?: string;
  /** Only items whose sort key is within [from, to] (inclusive, string order). */
  readonly skBetween?: readonly [string, string];
  readonly index?: IndexName;
  /** Newest (highest sort key) first. */
  readonly descending?: boolean;
  /** Page size; the store may return fewer. */
  readonly limit?: number;
  /** An opaque cursor from a previous page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Present when more items may follow; pass it back as `Query.cursor`. */
  readonly cursor?: string;
}

/**
 * Atomic numeric additions to an existing or new item, with an optional guard:
 * the update is applied only if, after it, no guarded attribute exceeds its ceiling.
 */
export interface Increment {
  readonly key: ItemKey;
  readonly add: Readonly<Record<string, number>>;
  /** Attributes set on the item (e.g. timestamps) along with the additions. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Attribute → ceiling: refused (PreconditionFailedError) if `current + add` would exceed it. */
  readonly ceilings?: Readonly<Record<string, number>>;
}

/**
 * The persistence port: a single table of item collections with conditional
 * writes. Implemented by the DynamoDB adapter, which runs unchanged against
 * DynamoDB in AWS and dynalite locally. There are no multi-item transactions:
 * invariants are kept with preconditions on single items.
 */
export interface Store {
  /** Reads one item (strongly consistent), or undefined. */
  get(key: ItemKey): Promise<Item | undefined>;
  /** Reads up to 100 items by key (strongly consistent); missing keys are omitted. */
  getMany(keys: readonly ItemKey[]): Promise<Item[]>;
  /**
   * Writes a whole item. Throws PreconditionFailedError when `precondition`
   * does not hold; nothing is written then.
   */
  put(item: Item, precondition?: Precondition): Promise<void>;
  /**
   * Writes up to 25 whole items unconditionally in one round trip (items the
   * service reports unprocessed are retried); for appends such as audit entries.
   */
  putMany(items: readonly Item[]): Promise<void>;
  /** Applies atomic numeric additions; throws PreconditionFailedError when a ceiling would be exceeded. */
  increment(increment: Increment): Promise<Item>;
  /** Deletes one item. Throws PreconditionFailedError when `precondition` does not hold. */
  delete(key: ItemKey, precondition?: Precondition): Promise<void>;
  /** Lists one item collection in sort-key order, a page at a time. */
  query(query: Query): Promise<Page<Item>>;
}
