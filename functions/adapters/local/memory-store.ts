import type { IndexName } from '../../contracts/table.js';
import { PreconditionFailedError, ValidationError } from '../../ports/errors.js';
import type { Increment, Item, ItemKey, Page, Precondition, Query, Store } from '../../ports/store.js';

/** The index attributes per index name (the table's single GSI). */
const INDEX_KEYS: Readonly<Record<IndexName, { pk: 'gsi1pk'; sk: 'gsi1sk' }>> = { gsi1: { pk: 'gsi1pk', sk: 'gsi1sk' } };

/** Items share this across every MemoryStore made by `connect()`. */
type Table = Map<string, Map<string, Item>>;

/**
 * The Store port in memory, for fast unit tests of the core: the same
 * behaviour as the DynamoDB adapter (test/adapters/store-contract.ts runs
 * the same contract against both): strongly consistent reads, preconditions
 * checked atomically with the write, sort-key order (ascending or not),
 * pages with cursors bound to their partition, the index, undefined
 * attributes left out, class instances refused, values copied in and out.
 * Nothing is persisted; the server and e2e tests use the real engine.
 */
export class MemoryStore implements Store {
  constructor(private readonly table: Table = new Map()) {}

  /** Another store over the same items (as another process would see the same table; its own identity for caches). */
  connect(): MemoryStore {
    return new MemoryStore(this.table);
  }

  async get(key: ItemKey): Promise<Item | undefined> {
    const item = this.table.get(key.pk)?.get(key.sk);
    return item && copy(item);
  }

  async getMany(keys: readonly ItemKey[]): Promise<Item[]> {
    if (keys.length > 100) throw new ValidationError('getMany reads at most 100 items at once');
    return keys.flatMap((key) => {
      const item = this.table.get(key.pk)?.get(key.sk);
      return item ? [copy(item)] : [];
    });
  }

  async put(item: Item, precondition?: Precondition): Promise<void> {
    const stored = normalize(item) as Item;
    check(this.table.get(item.pk)?.get(item.sk), precondition);
    this.write(stored);
  }

  async putMany(items: readonly Item[]): Promise<void> {
    if (items.length > 25) throw new ValidationError('putMany writes at most 25 items at once');
    const stored = items.map((item) => normalize(item) as Item);
    for (const item of stored) this.write(item);
  }

  async increment(increment: Increment): Promise<Item> {
    const current = this.table.get(increment.key.pk)?.get(increment.key.sk);
    const next: Record<string, unknown> = { ...(current ?? {}), ...(normalize(increment.set ?? {}) as object), pk: increment.key.pk, sk: increment.key.sk };
    for (const [name, add] of Object.entries(increment.add)) {
      const value = Number(current?.[name] ?? 0) + add;
      const ceiling = increment.ceilings?.[name];
      if (ceiling !== undefined && value > ceiling) throw new PreconditionFailedError(`${name} would exceed ${ceiling}`);
      next[name] = value;
    }
    this.write(next as Item);
    return copy(next as Item);
  }

  async delete(key: ItemKey, precondition?: Precondition): Promise<void> {
    check(this.table.get(key.pk)?.get(key.sk), precondition);
    this.table.get(key.pk)?.delete(key.sk);
  }

  async query(query: Query): Promise<Page<Item>> {
    const index = query.index ? INDEX_KEYS[query.index] : undefined;
    const pkName = index?.pk ?? 'pk';
    const skName = index?.sk ?? 'sk';
    const order = (item: Item): string[] => (index ? [String(item[skName]), item.pk, item.sk] : [item.sk]);
    let items = index ? [...this.table.values()].flatMap((c) => [...c.values()]).filter((i) => i[pkName] === query.pk && typeof i[skName] === 'string') : [...(this.table.get(query.pk)?.values() ?? [])];
    items = items.filter((item) => {
      const sk = String(item[skName]);
      if (query.skPrefix !== undefined && !sk.startsWith(query.skPrefix)) return false;
      if (query.skBetween && (compare(sk, query.skBetween[0]) < 0 || compare(sk, query.skBetween[1]) > 0)) return false;
      return true;
    });
    items.sort((a, b) => compareKeys(order(a), order(b)));
    if (query.descending) items.reverse();
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor, pkName, query.pk);
      const afterOrder = index ? [String(after[skName]), after.pk, after.sk] : [after.sk];
      const start = items.findIndex((item) => compareKeys(order(item), afterOrder) * (query.descending ? -1 : 1) > 0);
      items = start < 0 ? [] : items.slice(start);
    }
    const limited = query.limit === undefined ? items : items.slice(0, query.limit);
    const last = limited.at(-1);
    // As DynamoDB does: a page that filled its limit carries a cursor, even when nothing follows.
    const cursor =
      last && query.limit !== undefined && limited.length === query.limit
        ? encodeCursor({ pk: last.pk, sk: last.sk, ...(index ? { [pkName]: last[pkName], [skName]: last[skName] } : {}) })
        : undefined;
    return { items: limited.map(copy), ...(cursor ? { cursor } : {}) };
  }

  private write(item: Item): void {
    let collection = this.table.get(item.pk);
    if (!collection) this.table.set(item.pk, (collection = new Map()));
    collection.set(item.sk, item);
  }
}

function check(current: Item | undefined, precondition: Precondition | undefined): void {
  if (!precondition) return;
  const holds =
    precondition.kind === 'absent'
      ? current === undefined
      : precondition.kind === 'present'
        ? current !== undefined
        : precondition.kind === 'version'
          ? current !== undefined && current.version === precondition.version
          : current !== undefined && Object.entries(precondition.attributes).every(([name, value]) => current[name] === value);
  if (!holds) throw new PreconditionFailedError(`precondition ${precondition.kind} does not hold`);
}

/** Byte order of the strings' UTF-8 encodings, as DynamoDB sorts keys. */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compare(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

/** A stored copy of a value: undefined attributes and list entries left out, plain data only (as the DynamoDB marshaller does). */
function normalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new ValidationError(`cannot store a ${typeof value}`);
    return value;
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(normalize);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) throw new ValidationError('cannot store a class instance; pass plain data');
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) if (v !== undefined) out[name] = normalize(v);
  return out;
}

function copy(item: Item): Item {
  return normalize(item) as Item;
}

/** The last key of a page, shaped as DynamoDB's LastEvaluatedKey (the core builds such cursors too). */
interface CursorKey {
  readonly pk: string;
  readonly sk: string;
  readonly [name: string]: unknown;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A cursor is only accepted for the partition it was issued for, so it cannot reach other data. */
function decodeCursor(cursor: string, pkName: string, pk: string): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorKey;
    if (key && typeof key === 'object' && key[pkName] === pk && typeof key.pk === 'string' && typeof key.sk === 'string') return key;
  } catch {
    // fall through
  }
  throw new ValidationError('invalid cursor: pass back the cursor of the previous page unchanged');
}
