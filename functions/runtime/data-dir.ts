/**
 * The local data dir: created private (0700, files 0600), checked writable
 * before anything opens it, and held by one process at a time through a lock
 * file naming the holder (pid, port). Every failure is a `DataDirError` whose
 * message is one line that says what to do.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Raised when the data dir cannot be used; the message is one line for the operator. */
export class DataDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataDirError';
  }
}

/** Files the local server keeps in its data dir besides the engine's own. */
export const dataFiles = {
  engine: (dir: string) => join(dir, 'dynamodb'),
  devKey: (dir: string) => join(dir, 'dev-key'),
  /** Who holds the data dir: `{ pid, port?, holder }` as JSON. */
  lock: (dir: string) => join(dir, 'conclave.lock'),
  /** The local admin token the CLIs present to the running server's /admin route. */
  adminToken: (dir: string) => join(dir, 'admin-token'),
  /** The memory search indexes (vectors and postings, one directory per tenant); rebuilt from the table by `npm run memory -- reembed`. */
  memoryIndex: (dir: string) => join(dir, 'memory-index'),
};

/** How long preparing the data dir may take before start-up gives up (a hung file system must not hang the start). */
export const DATA_DIR_TIMEOUT_MS = 3000;

/**
 * Creates the data dir (and missing parents) private to this user, makes its
 * existing contents private, and proves it writable; bounded by `timeoutMs`.
 */
export async function prepareDataDir(dir: string, timeoutMs = DATA_DIR_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DataDirError(`data dir ${dir} did not answer within ${timeoutMs / 1000} s; set CONCLAVE_DATA_DIR to a local, writable directory`)), timeoutMs);
  });
  try {
    await Promise.race([prepare(dir), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function prepare(dir: string): Promise<void> {
  const advice = 'set CONCLAVE_DATA_DIR to a directory you can write';
  try {
    await makeDirs(resolve(dir));
  } catch (error) {
    throw new DataDirError(`data dir ${dir} cannot be created (${reason(error)}); ${advice}`, { cause: error });
  }
  const info = await stat(dir);
  if (!info.isDirectory()) throw new DataDirError(`data dir ${dir} is not a directory; ${advice}`);
  try {
    await makePrivate(dir);
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, 'ok', { mode: 0o600 });
    await rm(probe, { force: true });
  } catch (error) {
    throw new DataDirError(`data dir ${dir} is not writable (${reason(error)}); ${advice}`, { cause: error });
  }
}

/**
 * mkdir -p one level at a time: Node's recursive mkdir retries forever where
 * mkdir keeps answering ENOENT (e.g. under /proc), so it is not used.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    const found = await stat(at).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const path of missing) {
    await mkdir(path, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/** The dir 0700, its subdirectories 0700 and its files 0600 (data written by earlier versions was world-readable). */
async function makePrivate(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makePrivate(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const codes: Record<string, string> = {
    ENOTDIR: 'a part of the path is not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'the file system refuses to create it',
    ENOSPC: 'no space left on the device',
  };
  return (e.code && codes[e.code]) ?? e.code ?? String(e.message ?? error);
}

/** Who holds a data dir. */
export interface LockHolder {
  readonly pid: number;
  /** The MCP port, once a server is listening; absent for a command-line tool. */
  readonly port?: number;
  /** `server` (npm start) or the command holding it (`npm run keys`). */
  readonly holder: string;
}

/** A held lock: `listening(port)` records the server's port; `release()` removes the lock file. */
export interface DataDirLock {
  listening(port: number): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the data dir's lock for this process. If a live process holds it,
 * throws a DataDirError naming that process; a lock left by a process that
 * no longer runs is taken over.
 */
export async function acquireLock(dir: string, holder: string): Promise<DataDirLock> {
  const path = dataFiles.lock(dir);
  for (let attempt = 0; attempt < 3; attempt++) {
    const record: LockHolder = { pid: process.pid, holder };
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(record));
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        listening: (port) => writeFile(path, JSON.stringify({ ...record, port } satisfies LockHolder), { mode: 0o600 }),
        release: async () => {
          if (released) return;
          released = true;
          // Only our own lock is removed (a recovered stale lock is someone else's by now).
          const current = await readHolder(dir);
          if (current?.pid === process.pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DataDirError(`data dir ${dir} cannot be locked (${reason(error)}); set CONCLAVE_DATA_DIR to a directory you can write`, { cause: error });
      }
    }
    const current = await liveHolder(dir);
    if (current) throw new DataDirError(`data dir ${dir} is in use by ${describeHolder(current)}; stop it (kill ${current.pid}) or set CONCLAVE_DATA_DIR to another directory`);
    // Stale: its process is gone. Remove it and try again.
    await rm(path, { force: true });
  }
  throw new DataDirError(`data dir ${dir}: could not take its lock (${path}); remove that file if no Conclave process runs`);
}

/** The process holding the data dir, if it is alive. */
export async function liveHolder(dir: string): Promise<LockHolder | undefined> {
  const current = await readHolder(dir);
  return current && alive(current.pid) ? current : undefined;
}

export function describeHolder(holder: LockHolder): string {
  return holder.holder === 'server'
    ? `the Conclave server (pid ${holder.pid}${holder.port === undefined ? ', starting' : `, http://127.0.0.1:${holder.port}`})`
    : `${holder.holder} (pid ${holder.pid})`;
}

async function readHolder(dir: string): Promise<LockHolder | undefined> {
  const text = await readFile(dataFiles.lock(dir), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
    return { pid: parsed.pid, holder: String(parsed.holder ?? 'server'), ...(typeof parsed.port === 'number' ? { port: parsed.port } : {}) };
  } catch {
    // Written part way by a process that died: nobody holds it.
    return undefined;
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The data dir's admin token, created (0600) on first use. */
export async function ensureAdminToken(dir: string): Promise<string> {
  const path = dataFiles.adminToken(dir);
  const saved = await readFile(path, 'utf8').then((s) => s.trim(), () => '');
  if (saved) return saved;
  const token = `cnadm_${randomBytes(32).toString('base64url')}`;
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The data dir's admin token if one was made (the server makes it at start). */
export async function readAdminToken(dir: string): Promise<string | undefined> {
  const saved = await readFile(dataFiles.adminToken(dir), 'utf8').then((s) => s.trim(), () => '');
  return saved || undefined;
}

/** True if the path exists (a symlink counts). */
export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
