import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../functions/runtime/local.js';
import { eventually, memoryLog, post } from '../helpers/conclave.js';

const run = promisify(execFile);

/** Runs `npm run keys -- …` as a user would (through tsx), against a data dir. */
async function keys(dataDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bin/keys.ts', ...args], {
      env: { ...process.env, CONCLAVE_DATA_DIR: dataDir },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'cli-test', version: '1' } },
});

describe('npm run keys', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'conclave-keys-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('creates a key in the data dir that the server then accepts, and revokes it', async () => {
    const created = await keys(dataDir, 'create', '--tenant', 'acme', '--roles', 'ceo,cto', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { key, keyId, roles } = JSON.parse(created.stdout) as { key: string; keyId: string; roles: string[] };
    expect(roles).toEqual(['ceo', 'cto']);

    const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() });
    try {
      expect((await post(server, '/mcp/cto', initialize, { authorization: `Bearer ${key}` })).status).toBe(200);
      // While the server holds the data dir, the CLI goes through the server's engine.
      const listed = await keys(dataDir, 'list', '--tenant', 'acme');
      expect(listed.stdout).toContain(keyId);
      expect(listed.stdout).not.toContain(key);
      const revoked = await keys(dataDir, 'revoke', keyId);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain('revoked');
      await eventually(async () => expect((await post(server, '/mcp/cto', initialize, { authorization: `Bearer ${key}` })).status).toBe(401));
    } finally {
      await server.close();
    }
  });

  it('explains bad input with a non-zero exit and changes nothing', async () => {
    const before = await keys(dataDir, 'list', '--json');
    const agentBoard = await keys(dataDir, 'create', '--tenant', 'acme', '--roles', 'board');
    expect(agentBoard.code).toBe(1);
    expect(agentBoard.stderr).toContain('only a human key may act as the board');
    const unknownRole = await keys(dataDir, 'create', '--tenant', 'acme', '--roles', 'janitor', '--human');
    expect(unknownRole.stderr).toContain('unknown role(s): janitor');
    const usage = await keys(dataDir, 'frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run keys');
    const after = await keys(dataDir, 'list', '--json');
    expect(after.stdout).toBe(before.stdout);
  });
});
