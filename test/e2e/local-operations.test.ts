import { request as httpRequest } from 'node:http';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ROLES } from '../../functions/contracts/roles.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { issueKey, memoryLog, modernClient } from '../helpers/conclave.js';
import { childEnv, launch, launchServer, listeningPorts, lockOf, running, servingUrl, type Child } from '../helpers/processes.js';

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'ops-test', version: '1' } },
});

/** One HTTP request with full control of the headers (Host included), through node:http. */
function raw(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {}, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Every file and directory under `dir` with its permission bits. */
async function modes(dir: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const out = [{ path: dir, dir: true, mode: (await stat(dir)).mode & 0o777 }];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await modes(path)));
    else out.push({ path, dir: false, mode: (await stat(path)).mode & 0o777 });
  }
  return out;
}

/** One line on stderr, no stack trace, non-zero exit, within 5 s. */
function expectOneLineFailure(result: { code: number | null; stderr: string; ms: number }, mentions: string): void {
  const lines = result.stderr.trim().split('\n');
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toContain(mentions);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.ms).toBeLessThan(5000);
}

describe('npm start as a long-running process', () => {
  let root: string;
  let dataDir: string;
  let npm: Child;
  let url: string;
  let pid: number;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'conclave-ops-'));
    dataDir = join(root, 'data');
    // What a user runs; the script execs node, so the signal below reaches the server itself.
    npm = launch('npm', ['start', '--silent'], childEnv({ CONCLAVE_DATA_DIR: dataDir }));
    url = await servingUrl(npm);
    pid = (await lockOf(dataDir))?.pid ?? 0;
  }, 90_000);
  afterAll(async () => {
    if (npm.process.exitCode === null) npm.process.kill('SIGKILL');
    if (pid && running(pid)) process.kill(pid, 'SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('listens on the MCP port only (read from its own sockets): the DynamoDB engine has no port and no endpoint file', async () => {
    const port = Number(new URL(url).port);
    expect(await lockOf(dataDir)).toEqual({ pid, port, holder: 'server' });
    expect(await listeningPorts(pid)).toEqual([port]);
    const files = await readdir(dataDir);
    expect(files.sort()).toEqual(['admin-token', 'conclave.lock', 'dev-key', 'dynamodb']);
    // A forged DynamoDB call to the one port there is reaches no engine.
    const forged = await raw(url, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.Scan', origin: 'http://evil.example', host: `127.0.0.1:${port}` },
      body: JSON.stringify({ TableName: 'conclave' }),
    });
    expect([403, 404]).toContain(forged.status);
    expect(forged.body).not.toContain('Items');
    const noOrigin = await raw(url, { method: 'POST', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.Scan' }, body: JSON.stringify({ TableName: 'conclave' }) });
    expect(noOrigin.status).toBe(404);
    expect(noOrigin.body).not.toContain('Items');
  });

  it('keeps its data private: the data dir and its subdirectories 0700, every file 0600', async () => {
    const all = await modes(dataDir);
    expect(all.filter((e) => !e.dir).length).toBeGreaterThan(4);
    for (const entry of all) expect({ path: entry.path, mode: entry.mode.toString(8) }).toEqual({ path: entry.path, mode: entry.dir ? '700' : '600' });
  });

  it('refuses a second server on the same data dir at once, in one line naming the holder', async () => {
    const second = await launchServer(childEnv({ CONCLAVE_DATA_DIR: dataDir })).exited;
    expectOneLineFailure(second, `in use by the Conclave server (pid ${pid}, ${url})`);
    expect(running(pid)).toBe(true);
  });

  it('stops on SIGTERM to npm start: a request in flight is answered, then exit 0 within 10 s, no process left, lock released', { timeout: 30_000 }, async () => {
    const key = (await readFile(join(dataDir, 'dev-key'), 'utf8')).trim();
    const { port } = new URL(url);
    // A request whose body is still arriving when the signal comes.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const half = Math.floor(initialize.length / 2);
    socket.write(
      `POST /mcp/ceo HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: ${initialize.length}\r\n\r\n${initialize.slice(0, half)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    npm.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(running(pid)).toBe(true);
    socket.write(initialize.slice(half));
    const finished = await npm.exited;
    expect(finished.code, finished.stderr).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"protocolVersion"');
    expect(finished.stdout).toContain('Conclave stopped');
    expect(running(pid)).toBe(false);
    expect(await lockOf(dataDir)).toBeUndefined();
  });
});

describe('a failed start is one line and a non-zero exit within 5 s', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'conclave-badstart-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('names a port in use and how to choose another', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await launchServer(childEnv({ CONCLAVE_DATA_DIR: join(root, 'port'), PORT: String(port) })).exited;
      expectOneLineFailure(result, `port ${port} is already in use`);
      expect(result.stderr).toContain('PORT=');
    } finally {
      busy.close();
    }
  });

  it('names a bad CONCLAVE_DEV_KEY', async () => {
    expectOneLineFailure(await launchServer(childEnv({ CONCLAVE_DATA_DIR: join(root, 'key'), CONCLAVE_DEV_KEY: 'short' })).exited, 'CONCLAVE_DEV_KEY');
  });

  it.each([
    ['/dev/null/x', 'cannot be created'],
    ['/proc/forbidden', 'cannot be created'],
    ['/proc/self', 'is not writable'],
  ])('names a data dir that cannot be created or written: %s', async (dir, says) => {
    expectOneLineFailure(await launchServer(childEnv({ CONCLAVE_DATA_DIR: dir })).exited, `data dir ${dir} ${says}`);
  });

  it('names a data dir that is a file', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    expectOneLineFailure(await launchServer(childEnv({ CONCLAVE_DATA_DIR: file })).exited, 'is not a directory');
  });
});

describe('the data dir lock', () => {
  it('recovers a stale lock left by a process that no longer runs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conclave-stale-'));
    try {
      const gone = await launch(process.execPath, ['-e', ''], childEnv({})).exited;
      expect(gone.code).toBe(0);
      const deadPid = (await launch(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], childEnv({})).exited).stdout;
      await writeFile(join(dataDir, 'conclave.lock'), JSON.stringify({ pid: Number(deadPid), port: 1, holder: 'server' }));
      const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() });
      try {
        expect(await lockOf(dataDir)).toMatchObject({ pid: process.pid, holder: 'server', port: Number(new URL(server.url).port) });
        await expect(startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() })).rejects.toThrow(
          `is in use by the Conclave server (pid ${process.pid}`,
        );
      } finally {
        await server.close();
      }
      expect(await lockOf(dataDir)).toBeUndefined();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('makes an existing world-readable data dir private at start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conclave-modes-'));
    try {
      await mkdir(join(dataDir, 'dynamodb'));
      await writeFile(join(dataDir, 'old-file'), 'x', { mode: 0o644 });
      await chmod(dataDir, 0o755);
      const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() });
      await server.close();
      expect(((await stat(dataDir)).mode & 0o777).toString(8)).toBe('700');
      expect(((await stat(join(dataDir, 'old-file'))).mode & 0o777).toString(8)).toBe('600');
      expect(((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the edge: hosts, credentials, the admin route', () => {
  let conclave: LocalConclave & { log: ReturnType<typeof memoryLog> };
  let port: string;
  beforeAll(async () => {
    const log = memoryLog();
    conclave = Object.assign(await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 60_000, log, publicHosts: ['conclave.example.com'] }), { log });
    port = new URL(conclave.url).port;
  });
  afterAll(() => conclave.close());

  it('refuses a Host that is not its own (DNS rebinding without an Origin), and serves its loopback names and configured public name', async () => {
    const refused = await raw(conclave.url, { path: '/healthz', headers: { host: 'evil.example' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('host evil.example is not served here');
    expect((await raw(conclave.url, { path: '/healthz', headers: { host: `evil.example:${port}` } })).status).toBe(403);
    expect((await raw(conclave.url, { path: '/healthz', headers: { host: '127.0.0.1:1' } })).status).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'conclave.example.com', 'CONCLAVE.example.com:443']) {
      expect((await raw(conclave.url, { path: '/healthz', headers: { host } })).status, host).toBe(200);
    }
    const mcp = await raw(conclave.url, { method: 'POST', path: '/mcp/ceo', headers: { host: 'evil.example', authorization: `Bearer ${conclave.devKey}` }, body: initialize });
    expect(mcp.status).toBe(403);
  });

  it('answers a malformed Authorization header with its own message', async () => {
    for (const authorization of ['Bearer k k', 'Bearer', 'Basic abc']) {
      const res = await raw(conclave.url, { method: 'POST', path: '/mcp/ceo', headers: { host: `127.0.0.1:${port}`, authorization, 'content-type': 'application/json' }, body: initialize });
      expect(res.status, authorization).toBe(401);
      expect(res.body, authorization).toContain('malformed Authorization header');
      expect(res.body).not.toContain('missing');
    }
    const missing = await raw(conclave.url, { method: 'POST', path: '/mcp/ceo', headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' }, body: initialize });
    expect(missing.status).toBe(401);
    expect(missing.body).not.toContain('malformed');
  });

  it('refuses an oversized input as invalid_input naming the field and its limit, and logs no error', { timeout: 30_000 }, async () => {
    const key = await issueKey(conclave, 'acme', ['cto']);
    const cto = await modernClient(conclave, 'cto', key);
    try {
      const design = { notes: 'x'.repeat(450 * 1024) };
      const result = await cto.callTool({ name: 'review_architecture', arguments: { design, components: ['api (2 replicas)'], scalability: '2k req/s' } });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({ error: { code: 'invalid_input' } });
      const message = (result.structuredContent as { error: { message: string } }).error.message;
      expect(message).toContain('design');
      expect(message).toContain('100,000 characters');
      expect(conclave.log.lines.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await cto.close();
    }
  });

  it('serves /admin to the admin token (any tenant) and to a human key with every role (its own tenant only), and to nobody else', async () => {
    const admin = (command: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
      raw(conclave.url, {
        method: 'POST',
        path: `/admin/${command}`,
        headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify(body),
      });
    expect((await admin('keys.list', undefined, {})).status).toBe(401);
    expect((await admin('keys.list', 'cnadm_wrong-token-of-the-right-length-xxxxxxxxxxxxxxx', {})).status).toBe(401);
    const agent = await issueKey(conclave, 'acme', [...AGENT_ROLES], false);
    expect((await admin('keys.list', agent, {})).status).toBe(403);
    const partHuman = await issueKey(conclave, 'acme', ['ceo', 'board'], true);
    expect((await admin('keys.list', partHuman, {})).status).toBe(403);
    expect((await admin('keys.list', conclave.adminToken, {}, { origin: `http://127.0.0.1:${port}` })).status).toBe(403);

    const created = await admin('keys.create', conclave.adminToken, { tenant: 'other', roles: ['ceo'], human: false });
    expect(created.status, created.body).toBe(200);
    const otherKeyId = (JSON.parse(created.body) as { result: { record: { keyId: string } } }).result.record.keyId;

    const human = await issueKey(conclave, 'acme', ['all'], true);
    const own = await admin('keys.list', human, {});
    expect(own.status).toBe(200);
    const listed = (JSON.parse(own.body) as { result: { tenantId: string }[] }).result;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((r) => r.tenantId === 'acme')).toBe(true);
    expect((await admin('keys.list', human, { tenant: 'other' })).status).toBe(403);
    expect((await admin('keys.create', human, { tenant: 'other', roles: ['ceo'], human: false })).status).toBe(403);
    expect((await admin('keys.revoke', human, { keyId: otherKeyId })).status).toBe(403);
    const bad = await admin('keys.create', conclave.adminToken, { tenant: 'acme', roles: ['ceo'], human: false, extra: 1 });
    expect(bad.status).toBe(400);
    expect((await admin('keys.drop', conclave.adminToken, {})).status).toBe(400);
  });
});

describe('slow and many clients', () => {
  let conclave: LocalConclave;
  beforeAll(async () => {
    conclave = await startLocal({
      port: 0,
      allowedOrigins: [],
      staleAfterMs: 60_000,
      log: memoryLog(),
      limits: { bodyTimeoutMs: 4000, maxConnections: 300 },
    });
  });
  afterAll(() => conclave.close());

  async function p95(call: () => Promise<unknown>, n: number): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await call();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return times[Math.ceil(n * 0.95) - 1] as number;
  }

  it('200 stalled bodies leave a normal call within 2× its unloaded p95, and are answered 408 and closed', { timeout: 60_000 }, async () => {
    const key = await issueKey(conclave, 'acme', ['ceo']);
    const client = await modernClient(conclave, 'ceo', key);
    const call = () => client.callTool({ name: 'list_agents', arguments: {} });
    await p95(call, 20); // warm-up
    const unloaded = await p95(call, 60);

    const { port } = new URL(conclave.url);
    const stalled: Socket[] = [];
    const answers: string[] = [];
    for (let i = 0; i < 200; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      const index = i;
      answers[index] = '';
      socket.on('data', (d: Buffer) => (answers[index] += d.toString()));
      socket.on('error', () => undefined);
      socket.write(`POST /mcp/ceo HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"jsonrpc"`);
      stalled.push(socket);
    }
    await new Promise((r) => setTimeout(r, 300));
    const loaded = await p95(call, 60);
    expect(loaded, `unloaded p95 ${unloaded.toFixed(1)} ms, with 200 stalled bodies ${loaded.toFixed(1)} ms`).toBeLessThanOrEqual(Math.max(2 * unloaded, unloaded + 5));

    // The body timeout answers each stalled request and closes its connection.
    await new Promise((r) => setTimeout(r, 4500));
    const closed = await Promise.all(stalled.map((s) => (s.closed ? true : new Promise<boolean>((r) => { s.once('close', () => r(true)); setTimeout(() => r(false), 3000); }))));
    expect(closed.every(Boolean)).toBe(true);
    expect(answers.every((a) => a.startsWith('HTTP/1.1 408'))).toBe(true);
    expect(answers[0]).toContain('did not arrive within 4 s');
    await client.close();
  });

  it('answers connections over the cap with 503 and keeps serving', { timeout: 30_000 }, async () => {
    const small = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog(), limits: { maxConnections: 5 } });
    const { port } = new URL(small.url);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const s = connect(Number(port), '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise((r) => s.once('connect', r));
        held.push(s);
      }
      await new Promise((r) => setTimeout(r, 100));
      const refused = await raw(small.url, { path: '/healthz', headers: { host: `127.0.0.1:${port}` } }).catch((e: Error) => ({ status: 0, body: e.message }));
      expect(refused.status).toBe(503);
      expect(refused.body).toContain('too many open connections (limit 5)');
      for (const s of held) s.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect((await raw(small.url, { path: '/healthz', headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
    } finally {
      for (const s of held) s.destroy();
      await small.close();
    }
  });
});
