import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIdentityMapping, resolveUpstreamIdentity } from '../../functions/core/identity/mappings.js';
import { startLocal } from '../../functions/runtime/local.js';
import { memoryLog } from '../helpers/conclave.js';

const run = promisify(execFile);

/** Runs `npm run identities -- …` as a user would (through tsx), against a data dir. */
async function identities(dataDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bin/identities.ts', ...args], { env: { ...process.env, CONCLAVE_DATA_DIR: dataDir } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('npm run identities', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'conclave-identities-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('maps users and groups with the server stopped, then lists and removes them through the running server', { timeout: 120_000 }, async () => {
    const user = await identities(dataDir, 'map-user', '--email', 'Alice@Example.com', '--tenant', 'acme', '--roles', 'cto,board', '--human', '--json');
    expect(user.code, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ id: 'email:alice@example.com', tenantId: 'acme', roles: ['cto', 'board'], human: true });
    const group = await identities(dataDir, 'map-group', 'engineering', '--tenant', 'acme', '--roles', 'senior_developer,test_lead');
    expect(group.code, group.stderr).toBe(0);
    expect(group.stdout).toContain('group:engineering');
    // The board is for humans only; bad input changes nothing.
    const board = await identities(dataDir, 'map-group', 'admins', '--tenant', 'acme', '--roles', 'board');
    expect(board.code).toBe(1);
    expect(board.stderr).toContain('--human');
    const usage = await identities(dataDir, 'map-user', '--tenant', 'acme', '--roles', 'cto');
    expect(usage.code).toBe(2);

    const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() });
    try {
      // The server reads what the CLI wrote while it was stopped.
      const resolved = await resolveUpstreamIdentity(server.deps, { subject: 'x', email: 'alice@example.com', emailVerified: true, groups: ['engineering'] });
      expect(resolved).toMatchObject({ ok: true, identity: { tenantId: 'acme', roles: ['cto', 'board'], mappings: ['email:alice@example.com'] } });
      // While the server holds the data dir, the CLI goes through its admin route.
      const listed = await identities(dataDir, 'list', '--tenant', 'acme');
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('email:alice@example.com');
      expect(listed.stdout).toContain('group:engineering');
      expect(listed.stdout).not.toContain('group:admins');
      const removed = await identities(dataDir, 'remove', 'group:engineering');
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain('Removed: group:engineering');
      expect(await getIdentityMapping(server.deps, 'group:engineering')).toBeUndefined();
      const again = await identities(dataDir, 'remove', 'group:engineering');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('no identity mapping');
    } finally {
      await server.close();
    }
    const after = await identities(dataDir, 'list', '--json');
    expect((JSON.parse(after.stdout) as { id: string }[]).map((m) => m.id)).toEqual(['email:alice@example.com']);
  });
});
