/**
 * Strings ↔ dense numbers (0, 1, 2, … in the order first added), held in
 * flat typed arrays: the UTF-8 bytes of every string in one buffer, an
 * offset per number, and an open-addressing hash table of numbers. At
 * 100,000 memories this is a few megabytes and no JS string or Map entry
 * per key, and it is written to and read back from a file as it is (no
 * parsing). Strings are never removed: callers keep their own "live" marks.
 * Used by the local indexes (hnsw-vector-index.ts, local-lexical-index.ts)
 * for memory keys and terms.
 */
export class KeyTable {
  private bytes: Uint8Array;
  /** offsets[i] .. offsets[i + 1] are string i's bytes. */
  private offsets: Int32Array;
  private count: number;
  /** Hash slots: −1 empty, otherwise a string's number. Length is a power of two, at most half full. */
  private slots: Int32Array;
  private static readonly encoder = new TextEncoder();
  private static readonly decoder = new TextDecoder();
  private scratch = new Uint8Array(256);

  constructor(parts?: KeyTableParts) {
    if (parts) {
      this.count = parts.offsets.length - 1;
      this.offsets = parts.offsets;
      this.bytes = parts.bytes;
      this.slots = parts.slots;
    } else {
      this.count = 0;
      this.offsets = new Int32Array(1024);
      this.bytes = new Uint8Array(16_384);
      this.slots = new Int32Array(2048).fill(-1);
    }
  }

  /** How many strings the table holds. */
  get size(): number {
    return this.count;
  }

  /** The number of `key`, or −1 when it was never added. */
  find(key: string): number {
    const length = this.encode(key);
    const mask = this.slots.length - 1;
    for (let slot = hash(this.scratch, length) & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot] as number;
      if (id < 0) return -1;
      if (this.equals(id, length)) return id;
    }
  }

  /** The number of `key`, added (as the next number) when it is not there yet. */
  intern(key: string): number {
    const length = this.encode(key);
    const mask = this.slots.length - 1;
    let slot = hash(this.scratch, length) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot] as number;
      if (id < 0) break;
      if (this.equals(id, length)) return id;
    }
    const id = this.count;
    const start = this.offsets[id] as number;
    if (start + length > this.bytes.length) this.bytes = grown(this.bytes, start + length);
    this.bytes.set(this.scratch.subarray(0, length), start);
    if (id + 2 > this.offsets.length) this.offsets = grown(this.offsets, id + 2);
    this.offsets[id + 1] = start + length;
    this.count++;
    this.slots[slot] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** String number `id`. */
  keyOf(id: number): string {
    return KeyTable.decoder.decode(this.bytes.subarray(this.offsets[id] as number, this.offsets[id + 1] as number));
  }

  /** The arrays to persist (trimmed views; `new KeyTable(parts)` takes them back). */
  parts(): KeyTableParts {
    return { offsets: this.offsets.subarray(0, this.count + 1), bytes: this.bytes.subarray(0, this.offsets[this.count] as number), slots: this.slots };
  }

  private encode(key: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (key.length * 3 > this.scratch.length) this.scratch = new Uint8Array(key.length * 3);
    return KeyTable.encoder.encodeInto(key, this.scratch).written;
  }

  private equals(id: number, length: number): boolean {
    const start = this.offsets[id] as number;
    if ((this.offsets[id + 1] as number) - start !== length) return false;
    for (let i = 0; i < length; i++) if (this.bytes[start + i] !== this.scratch[i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      const start = this.offsets[id] as number;
      let slot = hash(this.bytes.subarray(start, this.offsets[id + 1] as number), (this.offsets[id + 1] as number) - start) & mask;
      while ((slots[slot] as number) >= 0) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }
}

export interface KeyTableParts {
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly slots: Int32Array;
}

/** FNV-1a over the first `length` bytes. */
function hash(bytes: Uint8Array, length: number): number {
  let h = 2166136261;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ (bytes[i] as number), 16777619);
  return h >>> 0;
}

/** A typed array at least `needed` long (doubling), holding the old contents. */
export function grown<T extends Int32Array | Uint16Array | Uint8Array | Float32Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2, 16));
  next.set(array);
  return next;
}
