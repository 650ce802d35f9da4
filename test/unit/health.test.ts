import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { AGENT_ROLES } from '../../functions/contracts/roles.js';
import { recordHeartbeat } from '../../functions/core/agents/agents.js';
import type { Deps } from '../../functions/core/context.js';
import { proposeDecision } from '../../functions/core/decisions/decisions.js';
import { reviewOrganizationalHealth, scoreOrganizationalHealth, severityOf } from '../../functions/core/health/organizational-health.js';
import { keys } from '../../functions/core/keys.js';
import { testDeps } from '../helpers/deps.js';

const AT = '2026-11-21T10:00:00.000Z';
const penalty = (report: ReturnType<typeof scoreOrganizationalHealth>, metric: string) => report.signals.find((s) => s.metric === metric)?.penalty;

describe('scoreOrganizationalHealth', () => {
  it('scores nothing found as 100 and healthy', () => {
    const report = scoreOrganizationalHealth({ agents: { stale: [], error: [] }, incidents: { open: [] } }, AT);
    expect(report).toMatchObject({ health_score: 100, status: 'healthy', issues: [] });
    expect(report.signals.map((s) => s.metric)).toEqual(['agents', 'incidents']);
  });

  it('applies the documented weight per finding', () => {
    const report = scoreOrganizationalHealth(
      {
        agents: { stale: ['cto', 'chro', 'test_lead'], error: ['ceo'] },
        decisions: { overdue: [{ decision_id: 'd1', status: 'pending', awaiting: 'board', age_hours: 30 }, { decision_id: 'd2', status: 'escalated', awaiting: 'ceo', age_hours: 50 }] },
        tasks: { overdue: [1, 2, 3, 4].map((i) => ({ task_id: `t${i}`, assignee: 'cto' as const, due_at: AT, title: '' })) },
        workflows: { failed: [{ run_id: 'r1', workflow: 'feature_development', status: 'failed' }, { run_id: 'r2', workflow: 'incident_response', status: 'timed_out' }] },
        incidents: { open: [{ incident_id: 'i1', severity: 1, title: 'down' }, { incident_id: 'i2', severity: 2, title: '' }, { incident_id: 'i4', severity: 4, title: '' }] },
      },
      AT,
    );
    expect([penalty(report, 'agents'), penalty(report, 'decisions'), penalty(report, 'tasks'), penalty(report, 'workflows'), penalty(report, 'incidents')]).toEqual([20, 8, 12, 10, 32]);
    expect(report.health_score).toBe(18);
    expect(report.status).toBe('critical');
    expect(report.issues).toHaveLength(6);
    expect(report.recommendations.some((r) => r.includes('severity-1'))).toBe(true);
  });

  it('caps each signal and never goes below 0', () => {
    const report = scoreOrganizationalHealth(
      {
        agents: { stale: [...AGENT_ROLES], error: [] },
        decisions: { overdue: Array.from({ length: 6 }, (_, i) => ({ decision_id: `d${i}`, status: 'pending', awaiting: null, age_hours: 25 })) },
        tasks: { overdue: Array.from({ length: 7 }, (_, i) => ({ task_id: `t${i}`, assignee: 'board' as const, due_at: AT, title: '' })) },
        workflows: { failed: Array.from({ length: 4 }, (_, i) => ({ run_id: `r${i}`, workflow: 'w', status: 'failed' })) },
        incidents: { open: [{ incident_id: 'a', severity: 1, title: '' }, { incident_id: 'b', severity: 1, title: '' }] },
      },
      AT,
    );
    expect(report.signals.map((s) => [s.penalty, s.max_penalty])).toEqual([
      [30, 30],
      [20, 20],
      [20, 20],
      [15, 15],
      [35, 35],
    ]);
    expect(report.health_score).toBe(0);
  });

  it('places the band edges at 80 and 50', () => {
    const stale = (n: number) => ({ stale: AGENT_ROLES.slice(0, n), error: [] });
    expect(scoreOrganizationalHealth({ agents: stale(4) }, AT)).toMatchObject({ health_score: 80, status: 'healthy' });
    expect(scoreOrganizationalHealth({ agents: stale(5) }, AT)).toMatchObject({ health_score: 75, status: 'degraded' });
    const fifty = scoreOrganizationalHealth({ agents: stale(6), decisions: { overdue: Array.from({ length: 5 }, (_, i) => ({ decision_id: `${i}`, status: 'pending', awaiting: null, age_hours: 30 })) } }, AT);
    expect(fifty).toMatchObject({ health_score: 50, status: 'degraded' });
    const below = scoreOrganizationalHealth({ agents: stale(6), decisions: { overdue: [] }, tasks: { overdue: [{ task_id: 't', assignee: 'ceo', due_at: AT, title: '' }] }, workflows: { failed: [] }, incidents: { open: [{ incident_id: 'i', severity: 1, title: '' }] } }, AT);
    expect(below).toMatchObject({ health_score: 47, status: 'critical' });
  });

  it('reads incident severities from numbers and strings', () => {
    expect([severityOf(1), severityOf('2'), severityOf('sev3'), severityOf('SEV1'), severityOf(7), severityOf(undefined)]).toEqual([1, 2, 3, 1, 4, 4]);
  });
});

describe('reviewOrganizationalHealth (live data, against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  let now = Date.parse(AT);
  const ctx = { correlationId: 'test' };

  beforeAll(async () => {
    dynamo = new MemoryStore();
    const clock = { now: () => now };
    deps = testDeps({ store: dynamo.connect(), clock, bus: { publish: async () => {} }, staleAfterMs: 60 * 60_000 });
  });
  afterAll(async () => {
  });

  it('counts decisions only once they have been open for more than 24 hours, and stops when they close', async () => {
    for (const role of AGENT_ROLES) await recordHeartbeat(deps, ctx, { tenantId: 'acme', role });
    const human = await proposeDecision(deps, ctx, { tenantId: 'acme', initiator: 'ceo', decisionType: 'policy', mode: 'human', context: 'x' });
    await proposeDecision(deps, ctx, { tenantId: 'acme', initiator: 'cto', decisionType: 'buy', mode: 'autonomous', context: 'y', amount: 10 });
    expect((await reviewOrganizationalHealth(deps, { tenantId: 'acme', metrics: ['decisions'] })).health_score).toBe(100);

    now += 24 * 3_600_000 + 1;
    const late = await reviewOrganizationalHealth(deps, { tenantId: 'acme', metrics: ['decisions'] });
    expect(late.health_score).toBe(96);
    expect(late.signals[0]?.details[0]).toContain(human.decision_id);

    // A day later every agent is stale too: 9 × 5 capped at 30.
    const all = await reviewOrganizationalHealth(deps, { tenantId: 'acme' });
    expect(all.signals.map((s) => [s.metric, s.count])).toEqual([
      ['agents', 9],
      ['decisions', 1],
      ['tasks', 0],
      ['workflows', 0],
      ['incidents', 0],
    ]);
    expect(all.health_score).toBe(66);
  });

  it('reads overdue tasks, failed runs of the last 7 days and open incidents from their documented shapes', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    await deps.store.put({ ...keys.task('acme', 'cto', 't1'), task_id: 't1', status: 'open', due_at: iso(now - 1000), title: 'review' });
    await deps.store.put({ ...keys.task('acme', 'board', 't2'), task_id: 't2', status: 'open', due_at: iso(now + 3_600_000) });
    await deps.store.put({ ...keys.task('acme', 'cto', 't3'), task_id: 't3', status: 'done', due_at: iso(now - 1000) });
    const run = (id: string, status: string, started: number) =>
      deps.store.put({ ...keys.run('acme', id), gsi1pk: keys.runs('acme'), gsi1sk: `${iso(started)}#${id}`, run_id: id, workflow: 'feature_development', status });
    await run('r1', 'failed', now - 3_600_000);
    await run('r2', 'timed_out', now - 6 * 86_400_000);
    await run('r3', 'failed', now - 8 * 86_400_000);
    await run('r4', 'succeeded', now - 3_600_000);
    const incident = (id: string, status: string, severity: number) =>
      deps.store.put({ ...keys.record('acme', 'INCIDENT', id), gsi1pk: keys.recordIndex('acme', 'INCIDENT'), gsi1sk: `${iso(now)}#${id}`, incident_id: id, status, severity, title: id });
    await incident('i1', 'open', 2);
    await incident('i2', 'resolved', 1);

    const report = await reviewOrganizationalHealth(deps, { tenantId: 'acme', metrics: ['tasks', 'workflows', 'incidents'] });
    expect(report.signals.map((s) => [s.metric, s.count, s.penalty])).toEqual([
      ['tasks', 1, 3],
      ['workflows', 2, 10],
      ['incidents', 1, 10],
    ]);
    expect(report.health_score).toBe(77);
    expect((await reviewOrganizationalHealth(deps, { tenantId: 'globex', metrics: ['tasks', 'workflows', 'incidents'] })).health_score).toBe(100);
  });
});
