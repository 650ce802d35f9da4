import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import { auditedConsumer, auditedStep } from '../../functions/core/audit/audited.js';
import { recordAudit } from '../../functions/core/audit/audit.js';
import { listAuditLog } from '../../functions/core/audit/audit-log.js';
import type { Deps } from '../../functions/core/context.js';
import type { Decision } from '../../functions/core/decisions/model.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../functions/core/errors.js';
import { forgetMemory } from '../../functions/core/memory/forget-memory.js';
import { getMemoryVersion, memoryHistory } from '../../functions/core/memory/history.js';
import { decisionMemory } from '../../functions/core/memory/remember.js';
import { restoreMemory } from '../../functions/core/memory/restore-memory.js';
import { storeMemory } from '../../functions/core/memory/store-memory.js';
import { checkAuthority, loadChart } from '../../functions/core/org/authority.js';
import { escalationChain } from '../../functions/core/org/chart.js';
import { loadTenantChart, setAuthority, setReportsTo } from '../../functions/core/org/org-chart.js';
import { testDeps } from '../helpers/deps.js';

const DAY = 86_400_000;
const ctx = { correlationId: 'corr-1' };
const board = { kind: 'principal' as const, keyId: 'k-board', human: true, actingAs: 'board' as const };

describe('records (core, against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let now = Date.parse('2026-11-21T10:00:00Z');
  const events: OutboundEvent[] = [];
  let deps: Deps;
  const at = (ms: number): Deps => ({ ...deps, clock: { now: () => ms } });

  beforeAll(async () => {
    dynamo = new MemoryStore();
    deps = testDeps({ store: dynamo.connect(), clock: { now: () => now }, bus: { publish: async (e) => void events.push(...e) } });
  });

  describe('org chart', () => {
    it('starts as the default chart at revision 0 and takes a change on the next check', async () => {
      expect((await loadTenantChart(deps, 't1')).revision).toBe(0);
      expect(checkAuthority(await loadChart(deps, 't1'), 'cto', 600_000).within).toBe(false);
      const change = await setAuthority(deps, ctx, { tenantId: 't1', role: 'cto', limit: 750_000, by: board });
      expect(change).toEqual({ role: 'cto', field: 'authority_usd', previous: 500_000, value: 750_000, revision: 1 });
      const chart = await loadChart(deps, 't1');
      expect(checkAuthority(chart, 'cto', 750_000).within).toBe(true);
      expect(checkAuthority(chart, 'cto', 750_000.01)).toMatchObject({ within: false, escalateTo: 'ceo' });
      expect(events.at(-1)).toMatchObject({ detailType: 'Org.ChartChanged.v1', detail: { tenant_id: 't1', revision: 1, changed_by: 'k-board' } });
      // Another tenant stays on the default chart.
      expect((await loadChart(deps, 't2')).cto.authorityUsd).toBe(500_000);
    });

    it('moves a reporting line and refuses cycles, the CEO below a role and a role at the board', async () => {
      await setReportsTo(deps, ctx, { tenantId: 't1', role: 'test_lead', reportsTo: 'senior_architect', by: board });
      expect(escalationChain(await loadChart(deps, 't1'), 'test_lead')).toEqual(['senior_architect', 'cto', 'ceo', 'board']);
      await expect(setReportsTo(deps, ctx, { tenantId: 't1', role: 'cto', reportsTo: 'test_lead', by: board })).rejects.toThrow(/cycle \(cto → test_lead → senior_architect → cto\)/);
      await expect(setReportsTo(deps, ctx, { tenantId: 't1', role: 'ceo', reportsTo: 'cto', by: board })).rejects.toThrow(/CEO reports to the board/);
      await expect(setReportsTo(deps, ctx, { tenantId: 't1', role: 'cto', reportsTo: 'board', by: board })).rejects.toThrow(/only the CEO/);
      await expect(setReportsTo(deps, ctx, { tenantId: 't1', role: 'cto', reportsTo: 'cto', by: board })).rejects.toThrow(/itself/);
      await expect(setReportsTo(deps, ctx, { tenantId: 't1', role: 'board', reportsTo: 'ceo', by: board })).rejects.toBeInstanceOf(ValidationError);
      expect((await loadTenantChart(deps, 't1')).revision).toBe(2);
    });

    it('accepts only a human principal acting as the board, or an operator', async () => {
      const agent = { ...board, human: false };
      await expect(setAuthority(deps, ctx, { tenantId: 't1', role: 'cto', limit: 1, by: agent })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(setAuthority(deps, ctx, { tenantId: 't1', role: 'cto', limit: 1, by: { ...board, actingAs: 'ceo' } })).rejects.toBeInstanceOf(ForbiddenError);
      for (const limit of [-1, Number.NaN, Number.POSITIVE_INFINITY, 0.001, 2e12]) {
        await expect(setAuthority(deps, ctx, { tenantId: 't1', role: 'cto', limit, by: board })).rejects.toBeInstanceOf(ValidationError);
      }
      expect((await loadTenantChart(deps, 't1')).revision).toBe(2);
      await setAuthority(deps, ctx, { tenantId: 't1', role: 'chro', limit: 0, by: { kind: 'operator', name: 'alice' } });
      expect((await loadChart(deps, 't1')).chro.authorityUsd).toBe(0);
    });

    it('orders concurrent editors: every change lands, each with its own revision', async () => {
      const results = await Promise.all(
        (['product_manager', 'uiux_engineer', 'senior_developer', 'operations_head'] as const).map((role, i) => setAuthority(deps, ctx, { tenantId: 't3', role, limit: 1000 + i, by: board })),
      );
      expect(results.map((r) => r.revision).sort()).toEqual([1, 2, 3, 4]);
      const chart = await loadChart(deps, 't3');
      expect([chart.product_manager.authorityUsd, chart.uiux_engineer.authorityUsd, chart.senior_developer.authorityUsd, chart.operations_head.authorityUsd]).toEqual([1000, 1001, 1002, 1003]);
    });
  });

  describe('memory ownership and history', () => {
    const store = (author: Parameters<typeof storeMemory>[2]['author'], content: string, extra: Partial<Parameters<typeof storeMemory>[2]> = {}) =>
      storeMemory(deps, ctx, { tenantId: 'm1', key: 'postmortem/INC-1', content, author, principal: `key-${author}`, ...extra });

    it('lets the owner, its superiors (per the tenant chart) and the board write; refuses others naming the owner', async () => {
      await store('senior_developer', 'v1');
      await expect(store('test_lead', 'v2')).rejects.toThrow(/owned by senior_developer \(key key-senior_developer\): only senior_developer, the roles above it \(senior_architect, cto, ceo\) and the board/);
      await expect(forgetMemory(deps, ctx, { tenantId: 'm1', key: 'postmortem/INC-1', by: 'uiux_engineer' })).rejects.toBeInstanceOf(ForbiddenError);
      await store('senior_architect', 'v2');
      await store('board', 'v3');
      await store('senior_developer', 'v4');
      // System records pass (Conclave writing its own history).
      await store('operations_head', 'v5', { principal: 'system:decisions' });
      const history = await memoryHistory(deps, 'm1', 'postmortem/INC-1');
      expect(history.versions.map((v) => [v.version, v.author, v.author_principal])).toEqual([
        [5, 'operations_head', 'system:decisions'],
        [4, 'senior_developer', 'key-senior_developer'],
        [3, 'board', 'key-board'],
        [2, 'senior_architect', 'key-senior_architect'],
        [1, 'senior_developer', 'key-senior_developer'],
      ]);
      expect((await getMemoryVersion(deps, 'm1', 'postmortem/INC-1', 2)).content).toBe('v2');
    });

    it('keeps at most the configured number of versions and none past their age', async () => {
      const few: Deps = { ...deps, settings: { ...deps.settings, retention: { memoryVersions: 2, memoryVersionDays: 1 } } };
      for (let i = 1; i <= 5; i++) await storeMemory(few, ctx, { tenantId: 'm2', key: 'k', content: `v${i}`, author: 'cto' });
      expect((await memoryHistory(few, 'm2', 'k')).versions.map((v) => v.version)).toEqual([5, 4, 3]);
      await expect(getMemoryVersion(few, 'm2', 'k', 2)).rejects.toBeInstanceOf(NotFoundError);
      const later: Deps = { ...few, clock: { now: () => now + 2 * DAY } };
      expect((await memoryHistory(later, 'm2', 'k')).versions.map((v) => v.version)).toEqual([5]);
      await expect(getMemoryVersion(later, 'm2', 'k', 4)).rejects.toThrow(/kept: the last 2 versions, up to 1 days/);
    });

    it('restores a forgotten memory for its owner, keeping the owner, and refuses a non-owner', async () => {
      await storeMemory(deps, ctx, { tenantId: 'm3', key: 'spec/a', content: 'the spec', author: 'uiux_engineer' });
      await forgetMemory(deps, ctx, { tenantId: 'm3', key: 'spec/a', by: 'product_manager' });
      await expect(restoreMemory(deps, ctx, { tenantId: 'm3', key: 'spec/a', version: 1, by: 'test_lead' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(restoreMemory(deps, ctx, { tenantId: 'm3', key: 'spec/a', version: 2, by: 'uiux_engineer' })).rejects.toBeInstanceOf(NotFoundError);
      const back = await restoreMemory(deps, ctx, { tenantId: 'm3', key: 'spec/a', version: 1, by: 'uiux_engineer' });
      expect(back.memory).toMatchObject({ content: 'the spec', version: 3, created_by: 'uiux_engineer' });
    });
  });

  describe('audit trail', () => {
    it('pages a range newest first with filters, hides expired entries and refuses foreign cursors', async () => {
      const base = Date.parse('2026-11-10T00:00:00Z');
      for (let i = 0; i < 30; i++) {
        await recordAudit(at(base + (i % 3) * DAY + i * 1000), { tenantId: 'a1', keyId: i % 2 ? 'k1' : undefined, component: i % 2 ? undefined : 'workflow:x', role: 'cto', action: `tool:t${i % 4}`, outcome: 'ok', correlationId: `c${i}`, objectId: `o${i % 5}` });
      }
      const all: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await listAuditLog(at(base + 5 * DAY), 'a1', { from: '2026-11-10', to: '2026-11-12', limit: 7, ...(cursor ? { cursor } : {}) });
        all.push(...page.entries.map((e) => e.correlation_id));
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(all).toHaveLength(30);
      expect(new Set(all).size).toBe(30);
      const system = await listAuditLog(at(base + 5 * DAY), 'a1', { from: '2026-11-10', to: '2026-11-12', principal: 'system', action: 't1', limit: 200 });
      expect(system.entries.every((e) => e.actor.type === 'system' && e.action === 'tool:t1')).toBe(true);
      expect(system.entries).toHaveLength(0); // t1 is only written by odd i (k1)
      const byKey = await listAuditLog(at(base + 5 * DAY), 'a1', { from: '2026-11-10', to: '2026-11-12', principal: 'k1', objectId: 'o1', limit: 200 });
      expect(byKey.entries.map((e) => e.correlation_id).sort()).toEqual(['c1', 'c11', 'c21'].sort());
      // Past retention (400 days by default) entries are gone even where TTL has not deleted them yet.
      expect((await listAuditLog(at(base + 403 * DAY), 'a1', { from: '2026-11-10', to: '2026-11-12' })).entries).toEqual([]);
      const foreign = Buffer.from(JSON.stringify({ d: '2026-10-01', a: null })).toString('base64url');
      await expect(listAuditLog(at(base), 'a1', { from: '2026-11-10', to: '2026-11-12', cursor: foreign })).rejects.toBeInstanceOf(ValidationError);
      await expect(listAuditLog(at(base), 'a1', { from: '2026-11-12', to: '2026-11-10' })).rejects.toBeInstanceOf(ValidationError);
      await expect(listAuditLog(at(base), 'a1', { from: '2026-01-01', to: '2026-11-10' })).rejects.toThrow(/at most 92 days/);
    });

    it('audits a step and a consumer that changed something, with the system actor, never their arguments', async () => {
      const t = Date.parse('2026-11-15T12:00:00Z');
      const d = at(t);
      const payload = { step: 'open_task', decision_id: 'dec-1', run: { run_id: 'run-1', tenant_id: 'a2', correlation_id: 'corr-9' }, secret: 'hunter2' };
      await auditedStep(d, 'escalation', payload, async () => ({ ok: true }));
      await expect(auditedStep(d, 'escalation', { ...payload, step: 'remind' }, async () => Promise.reject(new ValidationError('bad')))).rejects.toThrow('bad');
      const consume = auditedConsumer('inbox-fanout', async (_deps, event) => ({ delivered: (event.detail as { n: number }).n, duplicates: 0 }));
      await consume(d, { id: 'e1', source: 'conclave', 'detail-type': 'Message.Sent.v1', time: '', detail: { tenant_id: 'a2', correlation_id: 'corr-8', message_id: 'm-1', n: 2 } });
      await consume(d, { id: 'e2', source: 'conclave', 'detail-type': 'Message.Sent.v1', time: '', detail: { tenant_id: 'a2', correlation_id: 'corr-8', message_id: 'm-2', n: 0 } });
      const page = await listAuditLog(d, 'a2', {});
      // One clock instant: the order among the three is the ids', so compare them sorted.
      expect(page.entries.map((e) => [e.action, e.outcome, e.error_code, e.object_id, e.actor.component, e.actor.run_id, e.actor.decision_id, e.correlation_id]).sort()).toEqual([
        ['consumer:inbox-fanout:Message.Sent.v1', 'ok', null, 'm-1', 'consumer:inbox-fanout', null, null, 'corr-8'],
        ['step:escalation.open_task', 'ok', null, 'dec-1', 'workflow:escalation', 'run-1', 'dec-1', 'corr-9'],
        ['step:escalation.remind', 'error', 'invalid_input', 'dec-1', 'workflow:escalation', 'run-1', 'dec-1', 'corr-9'],
      ]);
      expect(JSON.stringify(page)).not.toContain('hunter2');
    });
  });

  it('writes a closed decision as a self-contained memory: outcome, ruler, rationale, votes, escalations', () => {
    const decision: Decision = {
      decision_id: 'd-1',
      decision_type: 'purchase',
      initiator: 'cto',
      participants: [],
      mode: 'autonomous',
      context: 'Buy GPUs for the fraud model',
      status: 'approved',
      amount: 640_000,
      threshold: 0.6,
      quorum: 0.5,
      consensus_score: null,
      outcome: 'approved by ceo: pays back in 14 months',
      awaiting: null,
      escalations: [{ escalation_id: 'e-1', from: 'cto', to: 'ceo', reason: 'above authority', at: '' }],
      votes: [],
      created_at: '',
      completed_at: '2026-11-21T10:00:00.000Z',
      deadline: null,
      commitment: null,
    };
    const memory = decisionMemory('t', decision);
    expect(memory).toMatchObject({ kind: 'decision', id: 'd-1', author: 'cto', tags: ['purchase', 'approved', 'escalation'], metadata: { ruled_by: 'ceo', status: 'approved' } });
    expect(memory.content).toContain('Ruled by ceo.');
    expect(memory.content).toContain('Rationale: pays back in 14 months');
    expect(memory.content).toContain('Amount: 640,000 USD.');
    expect(memory.content).toContain('Escalated from cto to ceo: above authority');
  });
  void now;
  now += 0;
});
