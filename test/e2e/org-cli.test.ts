import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditLog } from '../../functions/core/audit/audit-log.js';
import { startLocal } from '../../functions/runtime/local.js';
import { issueKey, memoryLog, RoleClients } from '../helpers/conclave.js';

const run = promisify(execFile);

/** Runs `npm run org -- …` as an operator would (through tsx), against a data dir. */
async function org(dataDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bin/org.ts', ...args], { env: { ...process.env, CONCLAVE_DATA_DIR: dataDir } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('npm run org', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'conclave-org-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('changes a tenant chart that the server then follows, and audits the operator', { timeout: 120_000 }, async () => {
    const set = await org(dataDir, 'set-authority', '--tenant', 'acme', '--role', 'cto', '--limit', '750000', '--operator', 'ops-alice', '--json');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ role: 'cto', field: 'authority_usd', previous: 500_000, value: 750_000, revision: 1 });

    const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog() });
    const roles = new RoleClients(server, await issueKey(server, 'acme', ['all'], true));
    try {
      const ok = await roles.ok<{ status: string }>('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: 'GPUs', amount: 600_000 });
      expect(ok.status).toBe('approved');
      // While the server holds the data dir, the CLI goes through the server's engine; the server sees the change at once.
      const moved = await org(dataDir, 'set-reports-to', '--tenant', 'acme', '--role', 'test_lead', '--reports-to', 'senior_architect');
      expect(moved.code, moved.stderr).toBe(0);
      expect(moved.stdout).toContain('test_lead reports_to cto → senior_architect (revision 2)');
      const d = await roles.ok<{ status: string; awaiting: string }>('test_lead', 'propose_decision', { decision_type: 'tooling', mode: 'autonomous', context: 'rig', amount: 30_000 });
      expect(d).toMatchObject({ status: 'escalated', awaiting: 'senior_architect' });
      const trail = await listAuditLog(server.deps, 'acme', { action: 'org:*' });
      expect(trail.entries.map((e) => [e.action, e.object_id, e.actor.type])).toEqual([
        ['org:reports_to_changed', 'test_lead', 'system'],
        ['org:authority_usd_changed', 'cto', 'system'],
      ]);
      expect(trail.entries[0]?.actor.component).toMatch(/^operator:.+/);
      expect(trail.entries[1]?.actor.component).toBe('operator:ops-alice');
    } finally {
      await roles.close();
      await server.close();
    }
  });

  it('explains bad input with a non-zero exit and changes nothing', { timeout: 180_000 }, async () => {
    const before = await org(dataDir, 'show', '--tenant', 'acme', '--json');
    expect(before.code, before.stderr).toBe(0);
    const cycle = await org(dataDir, 'set-reports-to', '--tenant', 'acme', '--role', 'senior_architect', '--reports-to', 'test_lead');
    expect(cycle).toMatchObject({ code: 1 });
    expect(cycle.stderr).toContain('cycle');
    const role = await org(dataDir, 'set-authority', '--tenant', 'acme', '--role', 'janitor', '--limit', '5');
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('role must be one of');
    const limit = await org(dataDir, 'set-authority', '--tenant', 'acme', '--role', 'cto', '--limit', 'lots');
    expect(limit.code).toBe(2);
    expect((await org(dataDir, 'frobnicate', '--tenant', 'acme')).code).toBe(2);
    const after = await org(dataDir, 'show', '--tenant', 'acme', '--json');
    expect(after.stdout).toBe(before.stdout);
    expect(JSON.parse(after.stdout)).toMatchObject({ revision: 2 });
  });
});
