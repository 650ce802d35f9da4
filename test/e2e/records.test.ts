import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../functions/contracts/events.js';
import { recordAudit } from '../../functions/core/audit/audit.js';
import { issueKey, modernClient, RoleClients, startTestConclave } from '../helpers/conclave.js';
import { hashingEmbedder } from '../helpers/embedders.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

interface MemoryView {
  key: string;
  content: string;
  author: string;
  author_principal: string | null;
  created_by: string;
  version: number;
}
interface Version {
  version: number;
  state: string;
  author: string;
  author_principal: string | null;
  preview: string;
  current: boolean;
}
interface AuditEntry {
  id: string;
  at: string;
  action: string;
  outcome: string;
  object_id: string | null;
  role: string | null;
  key_id: string | null;
  actor: { type: string; component: string | null; run_id: string | null; decision_id: string | null };
  correlation_id: string;
}
interface AuditPage {
  entries: AuditEntry[];
  next_cursor: string | null;
}

/** The public key id of the tenant's key (as the first memory records it). */
let keyId = '';
const keyIdOf = (_key: string): string => keyId;

describe('records the organization can trust (over MCP)', () => {
  let conclave: Conclave;
  let roles: RoleClients;
  let other: RoleClients;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    conclave = await startTestConclave({ embedder: hashingEmbedder() });
    roles = await RoleClients.of(conclave, 'acme');
    other = await RoleClients.of(conclave, 'globex');
    conclave.bus.tap((e) => events.push(e));
  });
  afterAll(async () => {
    await roles.close();
    await other.close();
    await conclave.close();
  });

  describe('memories with owners and history', () => {
    const key = 'postmortem/INC-2041';
    const original = 'INC-2041: checkout outage for 42 minutes; root cause a connection pool exhausted by a retry storm.';

    it('refuses an overwrite or a forget by a role that does not own the memory, naming the owner, and changes nothing', async () => {
      const stored = await roles.ok<{ memory: MemoryView; created: boolean }>('operations_head', 'store_memory', { key, content: original, tags: ['postmortem'] });
      expect(stored.memory).toMatchObject({ created_by: 'operations_head', author: 'operations_head', version: 1 });
      expect(stored.memory.author_principal).toMatch(/^[0-9a-f]{16}$/);
      keyId = String(stored.memory.author_principal);
      for (const [tool, args] of [
        ['store_memory', { key, content: 'nothing happened' }],
        ['forget_memory', { key }],
        ['restore_memory', { key, version: 1 }],
      ] as const) {
        const refused = await roles.refused('uiux_engineer', tool, args);
        expect(refused).toContain('forbidden');
        expect(refused).toContain('owned by operations_head');
      }
      // A peer is not a superior either.
      expect(await roles.refused('cto', 'store_memory', { key, content: 'nothing happened' })).toContain('forbidden');
      expect(await roles.ok<MemoryView>('uiux_engineer', 'get_memory', { key })).toMatchObject({ content: original, version: 1 });
    });

    it("lets the owner's superior overwrite; the history shows both versions and restore brings the old one back", async () => {
      const revised = 'INC-2041 (revised by the CEO): checkout outage, 42 minutes, retry storm; follow-ups owned by the CTO.';
      expect((await roles.ok<{ memory: MemoryView }>('ceo', 'store_memory', { key, content: revised })).memory).toMatchObject({
        author: 'ceo',
        created_by: 'operations_head',
        version: 2,
      });
      const history = await roles.ok<{ versions: Version[] }>('uiux_engineer', 'memory_history', { key });
      expect(history.versions.map((v) => [v.version, v.author, v.current, v.state])).toEqual([
        [2, 'ceo', true, 'active'],
        [1, 'operations_head', false, 'active'],
      ]);
      expect(history.versions[1]?.preview).toBe(original.slice(0, 200));
      expect(await roles.ok<MemoryView>('cto', 'get_memory', { key, version: 1 })).toMatchObject({ content: original, author: 'operations_head' });
      expect(await roles.refused('cto', 'get_memory', { key, version: 7 })).toContain('not_found');

      const restored = await roles.ok<{ memory: MemoryView; restored_version: number }>('operations_head', 'restore_memory', { key, version: 1 });
      expect(restored).toMatchObject({ restored_version: 1, memory: { content: original, version: 3, created_by: 'operations_head', author: 'operations_head' } });
      expect(await roles.ok<MemoryView>('cto', 'get_memory', { key })).toMatchObject({ content: original, version: 3 });
      expect((await roles.ok<{ versions: Version[] }>('cto', 'memory_history', { key })).versions.map((v) => v.version)).toEqual([3, 2, 1]);
    });

    it('never returns a forgotten memory in search; its history stays and the owner may restore it', async () => {
      await roles.ok('ceo', 'forget_memory', { key });
      const search = await roles.ok<{ results: { key: string }[] }>('cto', 'search_memories', { query: 'INC-2041 checkout outage retry storm', limit: 20 });
      expect(search.results.map((r) => r.key)).not.toContain(key);
      expect(await roles.refused('cto', 'get_memory', { key })).toContain('not_found');
      const history = await roles.ok<{ versions: Version[] }>('cto', 'memory_history', { key });
      expect(history.versions[0]).toMatchObject({ version: 4, state: 'forgotten', author: 'ceo', current: true });
      // Only the owner's line may bring it back.
      expect(await roles.refused('uiux_engineer', 'restore_memory', { key, version: 3 })).toContain('forbidden');
      await roles.ok('operations_head', 'restore_memory', { key, version: 3 });
      const found = await roles.ok<{ results: { key: string }[] }>('cto', 'search_memories', { query: 'INC-2041 checkout outage retry storm', limit: 20 });
      expect(found.results.map((r) => r.key)).toContain(key);
      expect(await roles.refused('cto', 'get_memory', { key, version: 4 })).toContain('not_found');
    });

    it('lets any role edit a memory tagged shared_edit, and keeps each version', async () => {
      await roles.ok('product_manager', 'store_memory', { key: 'wiki/onboarding', content: 'Read the README first.', tags: ['shared_edit', 'wiki'] });
      await roles.ok('test_lead', 'store_memory', { key: 'wiki/onboarding', content: 'Read the README first, then run npm test.' });
      const history = await roles.ok<{ versions: Version[] }>('uiux_engineer', 'memory_history', { key: 'wiki/onboarding' });
      expect(history.versions.map((v) => v.author)).toEqual(['test_lead', 'product_manager']);
    });

    it('follows the tenant chart: a role placed above the owner may overwrite', async () => {
      await roles.ok('uiux_engineer', 'store_memory', { key: 'design/tokens', content: 'Spacing scale 4/8/16.' });
      expect(await roles.refused('senior_architect', 'store_memory', { key: 'design/tokens', content: 'Spacing 8/16' })).toContain('forbidden');
      await roles.ok('board', 'set_reports_to', { role: 'uiux_engineer', reports_to: 'senior_architect' });
      await roles.ok('senior_architect', 'store_memory', { key: 'design/tokens', content: 'Spacing 8/16' });
      await roles.ok('board', 'set_reports_to', { role: 'uiux_engineer', reports_to: 'product_manager' });
    });
  });

  describe('the org chart as the tenant data', () => {
    interface Decision {
      decision_id: string;
      status: string;
      awaiting: string | null;
    }
    const commit = (amount: number) => roles.ok<Decision>('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: 'GPU cluster', amount });

    it('lets the board set the CTO limit to 750,000: 600,000 is then approved and 750,000.01 escalates', async () => {
      expect((await commit(600_000)).status).toBe('escalated');
      const changed = await roles.ok<{ previous: number; value: number; revision: number }>('board', 'set_authority', { role: 'cto', limit: 750_000 });
      expect(changed).toMatchObject({ previous: 500_000, value: 750_000 });
      expect((await commit(600_000)).status).toBe('approved');
      expect((await commit(750_000)).status).toBe('approved');
      const above = await commit(750_000.01);
      expect(above).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
      // Another tenant's chart is its own.
      expect((await other.ok<Decision>('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: 'GPU', amount: 600_000 })).status).toBe('escalated');

      const chart = JSON.parse(((await (await roles.client('cto')).readResource({ uri: 'conclave://org-chart' })).contents[0] as { text: string }).text) as {
        roles: { id: string; authorityUsd: number }[];
        revision: number;
      };
      expect(chart.roles.find((r) => r.id === 'cto')?.authorityUsd).toBe(750_000);
      expect(chart.revision).toBe(changed.revision);
      const brief = await (await roles.client('cto')).getPrompt({ name: 'brief' });
      expect(JSON.stringify(brief.messages)).toContain('$750,000');

      await conclave.bus.drain();
      expect(events.find((e) => e['detail-type'] === 'Org.ChartChanged.v1' && (e.detail as { value: unknown }).value === 750_000)?.detail).toMatchObject({
        tenant_id: 'acme',
        role: 'cto',
        field: 'authority_usd',
        previous: 500_000,
        changed_by: keyIdOf(roles.key),
      });
    });

    it('moves the test lead under the senior architect: escalation chains and the brief follow it', async () => {
      await roles.ok('board', 'set_reports_to', { role: 'test_lead', reports_to: 'senior_architect' });
      const d = await roles.ok<Decision>('test_lead', 'propose_decision', { decision_type: 'tooling', mode: 'autonomous', context: 'load test rig', amount: 30_000 });
      expect(d).toMatchObject({ status: 'escalated', awaiting: 'senior_architect' });
      const brief = JSON.stringify((await (await roles.client('test_lead')).getPrompt({ name: 'brief' })).messages);
      expect(brief).toContain('test_lead');
      expect(brief).toContain('senior_architect → cto → ceo → board');
    });

    it('refuses a cycle, a CEO below a role, a role at the board, and a non-human key — and changes nothing', async () => {
      const before = (await roles.client('board')).readResource({ uri: 'conclave://org-chart' });
      expect(await roles.refused('board', 'set_reports_to', { role: 'senior_architect', reports_to: 'test_lead' })).toContain('cycle');
      expect(await roles.refused('board', 'set_reports_to', { role: 'ceo', reports_to: 'cto' })).toContain('the CEO reports to the board');
      expect(await roles.refused('board', 'set_reports_to', { role: 'cto', reports_to: 'board' })).toContain('only the CEO');
      expect(await roles.refused('board', 'set_authority', { role: 'cto', limit: -5 })).toContain('invalid_input');
      expect(await roles.refused('board', 'set_authority', { role: 'cto', limit: 1.005 })).toContain('whole cents');
      const agentKey = await issueKey(conclave, 'acme', ['ceo', 'cto'], false);
      const agent = new RoleClients(conclave, agentKey);
      try {
        // Not offered to the roles, and a non-human key cannot act as the board at all.
        await agent.refusedOrThrows('ceo', 'set_authority', { role: 'cto', limit: 1 });
        await expect(modernClient(conclave, 'board', agentKey)).rejects.toThrow();
      } finally {
        await agent.close();
      }
      expect(await (await roles.client('board')).readResource({ uri: 'conclave://org-chart' })).toEqual(await before);
    });
  });

  describe('the audit trail', () => {
    it('records chart changes and memory refusals with their actors', async () => {
      const page = await roles.ok<AuditPage>('board', 'audit_log', { action: 'org:*', limit: 200 });
      expect(page.entries.map((e) => [e.action, e.object_id, e.key_id])).toEqual(
        expect.arrayContaining([
          ['org:authority_usd_changed', 'cto', keyIdOf(roles.key)],
          ['org:reports_to_changed', 'test_lead', keyIdOf(roles.key)],
        ]),
      );
      const refused = await roles.ok<AuditPage>('ceo', 'audit_log', { role: 'uiux_engineer', outcome: 'error', action: 'store_memory' });
      expect(refused.entries.length).toBeGreaterThan(0);
      expect(refused.entries.every((e) => e.role === 'uiux_engineer' && e.outcome === 'error' && e.action === 'tool:store_memory')).toBe(true);
      expect(JSON.stringify(refused)).not.toContain('nothing happened');
      expect(await roles.refusedOrThrows('cto', 'audit_log', {})).toBeTruthy();
    });

    it('pages over 500 entries across two days, returning each exactly once, through the tool and the resource', async () => {
      const day = 86_400_000;
      const base = Math.floor(Date.now() / day) * day - 3 * day;
      const written: string[] = [];
      for (let i = 0; i < 500; i++) {
        const at = base + (i < 250 ? 0 : day) + 1000 + i * 60_000;
        const deps = { ...conclave.deps, clock: { now: () => at } };
        await recordAudit(deps, { tenantId: 'acme', component: 'test:seed', action: `seed:${i}`, objectId: `obj-${i % 7}`, outcome: i % 5 ? 'ok' : 'error', correlationId: `c-${i}` });
        written.push(`seed:${i}`);
      }
      const [from, to] = [new Date(base).toISOString().slice(0, 10), new Date(base + day).toISOString().slice(0, 10)];
      const seen: AuditEntry[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: AuditPage = await roles.ok<AuditPage>('board', 'audit_log', { from, to, limit: 37, ...(cursor ? { cursor } : {}) });
        seen.push(...page.entries);
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(seen.map((e) => e.action).sort()).toEqual([...written].sort());
      expect(new Set(seen.map((e) => e.id)).size).toBe(500);
      // Newest first, across the two days.
      expect(seen[0]?.action).toBe('seed:499');
      expect(seen.at(-1)?.action).toBe('seed:0');
      expect(seen[0]?.actor).toMatchObject({ type: 'system', component: 'test:seed' });

      const filtered = await roles.ok<AuditPage>('ceo', 'audit_log', { from, to, outcome: 'error', object_id: 'obj-3', limit: 200 });
      const expected = written.filter((_, i) => i % 5 === 0 && i % 7 === 3);
      expect(filtered.entries.map((e) => e.action).sort()).toEqual(expected.sort());

      // The resource template: one day per URI, paged with ?cursor=.
      const board = await roles.client('board');
      const fromResource: string[] = [];
      let uri = `conclave://audit/${to}?limit=100`;
      for (let i = 0; i < 10; i++) {
        const page = JSON.parse(((await board.readResource({ uri })).contents[0] as { text: string }).text) as AuditPage;
        fromResource.push(...page.entries.map((e) => e.action));
        if (!page.next_cursor) break;
        uri = `conclave://audit/${to}?limit=100&cursor=${page.next_cursor}`;
      }
      expect(fromResource.sort()).toEqual(written.slice(250).sort());
      await expect(board.readResource({ uri: 'conclave://audit/2026-02-30' })).rejects.toThrow(/YYYY-MM-DD/);
      await expect(board.readResource({ uri: `conclave://audit/${to}?password=x` })).rejects.toThrow(/unknown audit query parameter/);
      // Another tenant's trail has none of these.
      const theirs = await other.ok<AuditPage>('board', 'audit_log', { from, to, limit: 200 });
      expect(theirs.entries).toEqual([]);
    });
  });
});
