import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { ValidationError } from '../../functions/core/errors.js';
import { keys } from '../../functions/core/keys.js';
import { defectPriority, reportDefect } from '../../functions/core/quality/defects.js';
import { evaluateGate, latestGate, listQualityGates, runQualityGate, type GateResults } from '../../functions/core/quality/quality-gate.js';
import { createTestPlan, planTests } from '../../functions/core/quality/test-plan.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import { testDeps } from '../helpers/deps.js';

const GOOD: GateResults = { tests_total: 200, tests_passed: 196, coverage_pct: 80, critical_defects: 0, major_defects: 2 };
const failed = (results: GateResults, ctx = {}) => evaluateGate(results, ctx).filter((c) => !c.passed).map((c) => c.name);

describe('evaluateGate', () => {
  it('passes exactly at every threshold', () => {
    expect(failed(GOOD)).toEqual([]);
    expect(failed({ ...GOOD, performance_p95_ms: 300, performance_budget_ms: 300 })).toEqual([]);
  });

  it('fails each check just beyond its threshold', () => {
    expect(failed({ ...GOOD, tests_passed: 195 })).toEqual(['pass_rate']);
    expect(failed({ ...GOOD, coverage_pct: 79.9 })).toEqual(['coverage']);
    expect(failed({ ...GOOD, critical_defects: 1 })).toEqual(['critical_defects']);
    expect(failed({ ...GOOD, major_defects: 3 })).toEqual(['major_defects']);
    expect(failed({ ...GOOD, performance_p95_ms: 301, performance_budget_ms: 300 })).toEqual(['performance']);
  });

  it('uses the test plan coverage target and requires performance results when the plan has performance tests', () => {
    expect(failed(GOOD, { coverageTargetPct: 90, planId: 'p1' })).toEqual(['coverage']);
    expect(evaluateGate(GOOD, { coverageTargetPct: 90, planId: 'p1' })[1]?.detail).toContain('test plan p1');
    expect(failed(GOOD, { coverageTargetPct: 70, planId: 'p1', performanceRequired: true })).toEqual(['performance']);
  });

  it('refuses inconsistent results', () => {
    expect(() => evaluateGate({ ...GOOD, tests_passed: 201 })).toThrow(/exceeds tests_total/);
    expect(() => evaluateGate({ ...GOOD, tests_total: 0, tests_passed: 0 })).toThrow(ValidationError);
    expect(() => evaluateGate({ ...GOOD, performance_p95_ms: 10 })).toThrow(/go together/);
    expect(() => evaluateGate({ ...GOOD, coverage_pct: 101 })).toThrow(ValidationError);
    expect(() => evaluateGate({ ...GOOD, major_defects: 1.5 })).toThrow(ValidationError);
  });
});

describe('planTests', () => {
  it('computes effort as Σ base hours × scope items × risk multiplier', () => {
    const plan = planTests(['checkout', 'search', 'login'], 'medium');
    expect(plan.test_types).toEqual(['unit', 'integration', 'e2e', 'regression']);
    // (4 + 6 + 8 + 3) × 3 × 1.5 = 94.5 hours → ceil(94.5 / 6) = 16 days
    expect(plan.effort_hours).toBe(94.5);
    expect(plan.effort_days).toBe(16);
    expect(plan.effort_breakdown).toContainEqual({ test_type: 'e2e', hours: 36 });
    expect(plan.coverage_targets).toEqual({ line_pct: 80, branch_pct: 70 });
  });

  it('adds performance and security at high risk and honours explicit test types in canonical order', () => {
    const high = planTests(['api'], 'high');
    expect(high.test_types).toContain('performance');
    expect(high.exit_criteria.at(-1)).toContain('p95');
    expect(high.coverage_targets.line_pct).toBe(90);
    const custom = planTests(['ui'], 'low', ['accessibility', 'unit']);
    expect(custom.test_types).toEqual(['unit', 'accessibility']);
    expect(custom.effort_hours).toBe(10);
  });
});

describe('defectPriority', () => {
  it('follows the severity × reach matrix', () => {
    expect(defectPriority('critical')).toBe('P1');
    expect(defectPriority('major', 25)).toBe('P1');
    expect(defectPriority('major', 24.9)).toBe('P2');
    expect(defectPriority('minor', 50)).toBe('P2');
    expect(defectPriority('minor')).toBe('P3');
    expect(defectPriority('trivial', 100)).toBe('P4');
  });
});

describe('quality use cases (against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  let now = Date.parse('2026-06-01T09:00:00.000Z');
  const published: OutboundEvent[] = [];

  beforeAll(async () => {
    dynamo = new MemoryStore();
    const clock = { now: () => now };
    deps = testDeps({ store: dynamo.connect(), clock, bus: { publish: async (events) => void published.push(...events) }, staleAfterMs: 60 * 60_000 });
  });
  afterAll(async () => {
  });

  it('applies the release plan to later gates, and the latest gate wins', async () => {
    const plan = await createTestPlan(deps, { tenantId: 'acme', author: 'test_lead', release: 'v2.0.0', scope: ['payments'], riskLevel: 'high' });
    now += 1000;
    const g1 = await runQualityGate(deps, { tenantId: 'acme', runBy: 'test_lead', release: 'v2.0.0', results: { ...GOOD, coverage_pct: 85 } });
    expect(g1.failed_checks).toEqual(['coverage', 'performance']);
    now += 1000;
    const g2 = await runQualityGate(deps, {
      tenantId: 'acme',
      runBy: 'test_lead',
      release: 'v2.0.0',
      results: { ...GOOD, coverage_pct: 91, performance_p95_ms: 120, performance_budget_ms: 200 },
    });
    expect(g2.passed).toBe(true);
    expect((await latestGate(deps, 'acme', 'v2.0.0'))?.gate_id).toBe(g2.gate_id);
    expect(await deps.store.get(keys.record('acme', 'RELEASE', 'v2.0.0'))).toMatchObject({ latest_plan_id: plan.plan_id, coverage_target_pct: 90 });
    expect(await deps.store.get(keys.record('acme', 'GATE', g1.gate_id))).toMatchObject({
      release: 'v2.0.0',
      passed: false,
      gsi1pk: keys.recordIndex('acme', 'GATE'),
      gsi1sk: `${g1.created_at}#${g1.gate_id}`,
    });
    expect(await latestGate(deps, 'globex', 'v2.0.0')).toBeUndefined();
  });

  it('lists gates newest first, by release and outcome, a page at a time', async () => {
    for (let i = 0; i < 3; i++) {
      now += 1000;
      await runQualityGate(deps, { tenantId: 'acme', runBy: 'test_lead', release: 'v3', results: { ...GOOD, tests_passed: i % 2 ? 150 : 196 } });
    }
    const first = await listQualityGates(deps, { tenantId: 'acme', release: 'v3', limit: 2 });
    expect(first.gates.map((g) => g.passed)).toEqual([true, false]);
    expect(first.next_cursor).not.toBeNull();
    const second = await listQualityGates(deps, { tenantId: 'acme', release: 'v3', limit: 2, cursor: first.next_cursor as string });
    expect(second.gates.map((g) => g.passed)).toEqual([true]);
    expect((await listQualityGates(deps, { tenantId: 'acme', passed: false, limit: 10 })).gates).toHaveLength(2);
    expect((await listQualityGates(deps, { tenantId: 'globex', limit: 10 })).gates).toEqual([]);
  });

  it('reports a defect with its priority and asks the developer (and the CTO for a P1)', async () => {
    published.length = 0;
    const d = await reportDefect(deps, { correlationId: 'c' }, { tenantId: 'acme', reportedBy: 'test_lead', release: 'v3', title: 'Checkout 500', description: 'x', severity: 'major', affectedUsersPct: 40 });
    expect(d).toMatchObject({ priority: 'P1', notified: ['senior_developer', 'cto'] });
    const sent = published.map((e) => e.detail as { to: string; priority: string; type: string });
    expect(sent.map((m) => [m.to, m.type, m.priority])).toEqual([
      ['senior_developer', 'request', 'urgent'],
      ['cto', 'notification', 'urgent'],
    ]);
    await expect(
      reportDefect(deps, { correlationId: 'c' }, { tenantId: 'acme', reportedBy: 'test_lead', release: 'bad release', title: 't', description: 'x', severity: 'minor' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
