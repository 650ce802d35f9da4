import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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

export async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
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
