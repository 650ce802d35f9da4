import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Environment for a child server: no inherited Conclave settings, the SDK's Node advisory off, a random port. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CONCLAVE_') && name !== 'PORT') env[name] = value;
  return { ...env, PORT: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from spawn to exit. */
  readonly ms: number;
}

/** A running child with its output so far. */
export interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Finished>;
}

/** Spawns `command args` in the repository root, collecting its output. */
export function launch(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const started = Date.now();
  const child = spawn(command, args, { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<Finished>((resolve) =>
    child.once('exit', (code, signal) => {
      // Let the pipes drain before reporting.
      setTimeout(() => resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - started }), 50);
    }),
  );
  return { process: child, stdout: () => out, stderr: () => err, exited };
}

/** `node --max-semi-space-size=4 --heap-growing-percent=30 --import tsx bin/local.ts` (what `npm start` execs). */
export function launchServer(env: NodeJS.ProcessEnv): Child {
  return launch(process.execPath, ['--max-semi-space-size=4', '--heap-growing-percent=30', '--import', 'tsx', 'bin/local.ts'], env);
}

/** Waits until the child prints its serving line; returns the URL. */
export async function servingUrl(child: Child, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /Conclave is serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.stdout());
    if (match?.[1]) return match[1];
    if (child.process.exitCode !== null) throw new Error(`the server exited: ${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`the server did not start: ${child.stdout()} ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The data dir's lock record. */
export async function lockOf(dataDir: string): Promise<{ pid: number; port?: number; holder: string } | undefined> {
  const text = await readFile(join(dataDir, 'conclave.lock'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as { pid: number; port?: number; holder: string });
}

/** True if a process with this pid exists. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The TCP ports a process listens on, read from its own sockets
 * (/proc/<pid>/fd → socket inodes → /proc/net/tcp and tcp6 in LISTEN state).
 */
export async function listeningPorts(pid: number | 'self'): Promise<number[]> {
  const { readdir, readlink } = await import('node:fs/promises');
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const [, local, , state, , , , , , inode] = cols;
      if (state === '0A' && inode && inodes.has(inode)) ports.push(parseInt((local ?? '').split(':').pop() ?? '', 16));
    }
  }
  return ports.sort((a, b) => a - b);
}
