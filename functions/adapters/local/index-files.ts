import { appendFile, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files of the local memory indexes (hnsw-vector-index.ts, local-lexical-index.ts):
 * one directory per tenant under the data dir, an append-only journal of
 * changes since the last snapshot, snapshots replaced atomically (write a
 * temporary file, then rename), so a crash at any point leaves a snapshot
 * plus a journal whose replay is idempotent.
 */

/** The tenant's directory (the id is encoded, so no tenant id can name another's directory). */
export function tenantDir(root: string, tenantId: string): string {
  return join(root, `t-${Buffer.from(tenantId, 'utf8').toString('base64url')}`);
}

export async function appendLines(path: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await appendFile(path, `${lines.join('\n')}\n`);
}

/** The file's lines (empty when it does not exist); a torn last line (a crash mid-append) is dropped. */
export async function readLines(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  // The last element is '' after a complete final line; anything else is a torn write.
  lines.pop();
  return lines;
}

export async function writeAtomically(path: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const temporary = `${path}.tmp`;
  if (typeof data === 'string' || data instanceof Uint8Array) await writeFile(temporary, data);
  else {
    const file = await open(temporary, 'w');
    try {
      await file.writev(data as Uint8Array[]);
    } finally {
      await file.close();
    }
  }
  await rename(temporary, path);
}

/** A typed array stored in a sections file. */
export type Section = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float32Array | Float64Array;

const SECTIONS_MAGIC = 0x53434e43; // "CNCS"

/**
 * A binary snapshot: typed arrays written one after the other as they sit in
 * memory (little-endian, each padded to 8 bytes) behind a header of their
 * byte lengths, so reading it back is one read and a view per array: no
 * parsing, no object per entry. `version` is the caller's format number.
 */
export async function writeSections(path: string, version: number, sections: readonly Section[]): Promise<void> {
  const header = new Uint32Array(4 + sections.length * 2);
  header.set([SECTIONS_MAGIC, version, sections.length, 0]);
  const chunks: Uint8Array[] = [new Uint8Array(header.buffer)];
  sections.forEach((section, i) => {
    header[4 + 2 * i] = section.byteLength;
    header[5 + 2 * i] = section.BYTES_PER_ELEMENT;
    chunks.push(new Uint8Array(section.buffer, section.byteOffset, section.byteLength));
    const pad = (8 - (section.byteLength % 8)) % 8;
    if (pad) chunks.push(new Uint8Array(pad));
  });
  await writeAtomically(path, chunks);
}

/**
 * The sections of a file written by writeSections, as byte views of one
 * 8-byte-aligned buffer (wrap them: `new Int32Array(s.buffer, s.byteOffset, s.byteLength / 4)`);
 * undefined when there is no such file. Throws on a file of another format.
 */
export async function readSections(path: string, version: number): Promise<Uint8Array[] | undefined> {
  return (await readVersionedSections(path, [version]))?.sections;
}

/** Like readSections, accepting any of `versions` (newest first) and saying which one the file is. */
export async function readVersionedSections(path: string, versions: readonly number[]): Promise<{ version: number; sections: Uint8Array[] } | undefined> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Typed views need their element alignment: a pooled (small) Buffer may not start at 8.
  const bytes = data.byteOffset % 8 === 0 ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  const word = (i: number) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(i * 4, true);
  if (bytes.byteLength < 16 || word(0) !== SECTIONS_MAGIC || !versions.includes(word(1))) throw new Error(`${path} is not an index snapshot of format ${versions.join(' or ')}`);
  const count = word(2);
  let at = 16 + count * 8;
  at += (8 - (at % 8)) % 8;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = word(4 + 2 * i);
    if (at + length > bytes.byteLength) throw new Error(`${path} is truncated`);
    out.push(bytes.subarray(at, at + length));
    at += length + ((8 - (length % 8)) % 8);
  }
  return { version: word(1), sections: out };
}

/** A typed view of a section read by readSections. */
export function view<T extends Section>(kind: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number }, section: Uint8Array | undefined): T {
  if (!section) throw new Error('index snapshot: a section is missing');
  return new kind(section.buffer, section.byteOffset, section.byteLength / kind.BYTES_PER_ELEMENT);
}

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

/** Runs tasks one at a time per key (a tenant): journal appends and snapshots never interleave. */
export class Serial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/**
 * Each tenant's in-memory index state, loaded on first use and kept; a failed
 * load is forgotten so the next call tries again. Both local indexes hold
 * their tenants this way and snapshot them the same way on shutdown.
 */
export class TenantStates<T extends { journaled: number }> {
  private readonly loaded = new Map<string, Promise<T>>();

  constructor(private readonly load: (tenantId: string) => Promise<T>) {}

  get(tenantId: string): Promise<T> {
    let loading = this.loaded.get(tenantId);
    if (!loading) {
      loading = this.load(tenantId);
      this.loaded.set(tenantId, loading);
      loading.catch(() => this.loaded.delete(tenantId));
    }
    return loading;
  }

  /** Snapshots every loaded tenant that has journal entries, in its turn on `serial`. */
  async flush(serial: Serial, snapshot: (tenantId: string, state: T) => Promise<void>): Promise<void> {
    for (const [tenantId, loading] of this.loaded) {
      await serial.run(tenantId, async () => {
        const state = await loading;
        if (state.journaled > 0) await snapshot(tenantId, state);
      });
    }
  }
}

/**
 * The format of the files the local indexes write; a data dir written in an
 * older format is still read (and rewritten in this one at its next snapshot).
 * bench/memory.ts rebuilds a kept benchmark tenant when this changes.
 */
export const LOCAL_INDEX_FORMAT = 3;
