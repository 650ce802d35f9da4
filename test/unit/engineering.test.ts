import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { architectureChecks, reviewArchitecture } from '../../functions/core/engineering/architecture-review.js';
import { approveDeployment, planDeployment } from '../../functions/core/engineering/deployment.js';
import { assessTechnicalDebt, type CodebaseMetrics } from '../../functions/core/engineering/technical-debt.js';
import { selectTechnology, timelineWeeks } from '../../functions/core/engineering/technology-selection.js';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/core/errors.js';
import { keys } from '../../functions/core/keys.js';
import { declareIncident, resolveIncident } from '../../functions/core/operations/incidents.js';
import { runQualityGate } from '../../functions/core/quality/quality-gate.js';
import { testDeps } from '../helpers/deps.js';

const GOOD = { tests_total: 100, tests_passed: 100, coverage_pct: 90, critical_defects: 0, major_defects: 0 };

describe('architectureChecks', () => {
  it('passes a design with redundancy, observability, security and figures', () => {
    const { checks, modifications } = architectureChecks(
      ['api (autoscaling)', 'postgres (primary + replica)', 'redis cluster', 'DynamoDB', 'CloudWatch metrics', 'auth-service x3'],
      'Sustains 2,000 req/s at p95 < 200 ms',
    );
    expect(checks.every((c) => c.passed)).toBe(true);
    expect(modifications).toEqual([]);
  });

  it('names each single point of failure and each missing concern as a modification', () => {
    const { checks, modifications } = architectureChecks(['api', 'postgres', 'S3'], 'scales horizontally');
    expect(checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['single_point_of_failure', 'observability', 'security', 'scalability_quantified']);
    expect(modifications).toHaveLength(5);
    expect(modifications[0]).toContain('Add redundancy for api');
    expect(modifications[1]).toContain('Add redundancy for postgres');
    expect(modifications.join('\n')).not.toContain('S3');
  });

  it('does not take a count of one or words containing a marker for redundancy', () => {
    const { checks } = architectureChecks(['worker x1', 'shapeshifter', 'prometheus'], '10 jobs/s');
    expect(checks[0]?.detail).toBe('no redundancy noted for: worker x1, shapeshifter');
  });
});

describe('selectTechnology', () => {
  const base = {
    options: ['Postgres', 'DynamoDB', 'MongoDB'],
    criteria: { performance: 3, cost: 1 },
    scores: { Postgres: { performance: 8, cost: 6 }, DynamoDB: { performance: 9, cost: 4 }, MongoDB: { performance: 6, cost: 9 } },
    timeline: '10 weeks',
  };

  it('ranks by the normalized weighted score', () => {
    const s = selectTechnology(base);
    // DynamoDB 0.75*9 + 0.25*4 = 7.75; Postgres 0.75*8 + 0.25*6 = 7.5; MongoDB 0.75*6 + 0.25*9 = 6.75
    expect(s.ranking).toEqual([
      { option: 'DynamoDB', weighted_score: 7.75 },
      { option: 'Postgres', weighted_score: 7.5 },
      { option: 'MongoDB', weighted_score: 6.75 },
    ]);
    expect(s.selected).toBe('DynamoDB');
    expect(s.normalized_weights).toEqual({ performance: 0.75, cost: 0.25 });
    expect(s.rationale).toContain('close call');
    expect(s.migration_phases.map((p) => p.weeks)).toEqual([2, 3, 4, 1]);
    expect(s.migration_plan).toContain('Fallback if the pilot fails its exit criteria: Postgres');
  });

  it('breaks a tie by the heaviest criterion, then by input order, and says so', () => {
    const tie = selectTechnology({
      options: ['A', 'B'],
      criteria: { speed: 2, cost: 1 },
      scores: { A: { speed: 6, cost: 9 }, B: { speed: 7.5, cost: 6 } },
      timeline: 'Q3',
    });
    // A: (2*6 + 9)/3 = 7; B: (2*7.5 + 6)/3 = 7
    expect(tie.selected).toBe('B');
    expect(tie.rationale).toContain('broken by the heaviest criterion that separates them, speed (7.5 vs 6)');
    expect(tie.migration_phases.every((p) => p.weeks === null)).toBe(true);
    const same = selectTechnology({ options: ['X', 'Y'], criteria: { c: 1 }, scores: { Y: { c: 5 }, X: { c: 5 } }, timeline: '1 quarter' });
    expect(same.selected).toBe('X');
    expect(same.rationale).toContain('order the options were given');
  });

  it('refuses missing, unknown or out-of-range scores and all-zero weights', () => {
    expect(() => selectTechnology({ ...base, scores: { ...base.scores, MongoDB: { performance: 6 } } })).toThrow(/missing: MongoDB.cost/);
    expect(() => selectTechnology({ ...base, scores: { Postgres: base.scores.Postgres, DynamoDB: base.scores.DynamoDB } })).toThrow(/MongoDB \(all criteria\)/);
    expect(() => selectTechnology({ ...base, scores: { ...base.scores, Oracle: { performance: 1, cost: 1 } } })).toThrow(/not one of the options/);
    expect(() => selectTechnology({ ...base, scores: { ...base.scores, Postgres: { performance: 8, cost: 6, vibes: 3 } } })).toThrow(/not one of the criteria/);
    expect(() => selectTechnology({ ...base, scores: { ...base.scores, Postgres: { performance: 11, cost: 6 } } })).toThrow(ValidationError);
    expect(() => selectTechnology({ ...base, criteria: { performance: 0, cost: 0 } })).toThrow(/all be zero/);
    expect(() => selectTechnology({ ...base, options: ['Postgres', 'postgres'] })).toThrow(/twice/);
  });

  it('reads durations from timelines', () => {
    expect(timelineWeeks('6 weeks')).toBe(6);
    expect(timelineWeeks('about 3 months')).toBe(13);
    expect(timelineWeeks('2 quarters')).toBe(26);
    expect(timelineWeeks('by Q3')).toBeNull();
  });
});

describe('assessTechnicalDebt', () => {
  const healthy: CodebaseMetrics = {
    test_coverage: 85,
    avg_cyclomatic_complexity: 4,
    duplication_pct: 2,
    outdated_dependencies: 0,
    open_bugs: 0,
    code_smells: 0,
    lines_of_code: 50_000,
  };

  it('scores a healthy codebase 0 with no fixes', () => {
    expect(assessTechnicalDebt(healthy)).toMatchObject({ debt_score: 0, rating: 'low', priority_fixes: [] });
  });

  it('applies the documented formula and ranks fixes by contribution', () => {
    const a = assessTechnicalDebt({
      test_coverage: 40, // penalty 0.5 × 25 = 12.5
      avg_cyclomatic_complexity: 12.5, // 0.5 × 20 = 10
      duplication_pct: 3, // 0
      outdated_dependencies: 4, // 0.2 × 15 = 3
      open_bugs: 100, // 2/KLOC → 0.4 × 15 = 6
      code_smells: 1000, // 20/KLOC → 1 × 10 = 10
      lines_of_code: 50_000,
    });
    expect(a.debt_score).toBe(41.5);
    expect(a.rating).toBe('high');
    expect(a.priority_fixes).toHaveLength(5);
    expect(a.priority_fixes[0]).toMatch(/^Raise test coverage from 40% to at least 80%.*\(−12.5 points\)$/);
    // complexity and smells both contribute 10: model order puts complexity first
    expect(a.priority_fixes[1]).toContain('cyclomatic complexity');
    expect(a.priority_fixes[2]).toContain('code smells');
    expect(a.priority_fixes[4]).toContain('outdated dependencies');
    expect(a.breakdown.find((b) => b.dimension === 'bug_density')).toMatchObject({ value: 2, penalty: 0.4, contribution: 6 });
  });

  it('caps every penalty at 1, so the worst codebase scores 100', () => {
    const worst = assessTechnicalDebt({ test_coverage: 0, avg_cyclomatic_complexity: 50, duplication_pct: 60, outdated_dependencies: 90, open_bugs: 900, code_smells: 9000, lines_of_code: 1000 });
    expect(worst).toMatchObject({ debt_score: 100, rating: 'critical' });
  });

  it('refuses impossible metrics', () => {
    expect(() => assessTechnicalDebt({ ...healthy, test_coverage: 120 })).toThrow(ValidationError);
    expect(() => assessTechnicalDebt({ ...healthy, lines_of_code: 0 })).toThrow(ValidationError);
    expect(() => assessTechnicalDebt({ ...healthy, open_bugs: -1 })).toThrow(ValidationError);
    expect(() => assessTechnicalDebt({ ...healthy, avg_cyclomatic_complexity: 0.5 })).toThrow(ValidationError);
  });
});

describe('planDeployment', () => {
  it('orders environments by stage and rolls back in reverse', () => {
    const plan = planDeployment('v1', 'g1', ['production', 'perf-lab', 'staging', 'dev', 'canary-eu', 'qa']);
    expect(plan.steps.map((s) => s.environment)).toEqual(['dev', 'qa', 'perf-lab', 'staging', 'canary-eu', 'production']);
    expect(plan.steps.map((s) => s.bake_minutes)).toEqual([15, 15, 15, 30, 60, 0]);
    expect(plan.rollback.order).toEqual(['production', 'canary-eu', 'staging', 'perf-lab', 'qa', 'dev']);
    expect(plan.warnings).toEqual([]);
  });

  it('warns when production has no staging or canary before it', () => {
    expect(planDeployment('v1', 'g1', ['prod-eu', 'dev']).warnings).toHaveLength(1);
    expect(planDeployment('v1', 'g1', ['staging']).steps[0]?.bake_minutes).toBe(0);
  });
});

describe('engineering use cases (against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  let now = Date.parse('2026-06-01T09:00:00.000Z');
  const ctx = { correlationId: 'test' };

  beforeAll(async () => {
    dynamo = new MemoryStore();
    const clock = { now: () => now };
    deps = testDeps({ store: dynamo.connect(), clock, bus: { publish: async () => {} }, staleAfterMs: 60 * 60_000 });
  });
  afterAll(async () => {
  });

  const design = { architecture: 'event-driven' };
  const goodComponents = ['api (autoscaling)', 'DynamoDB', 'CloudWatch', 'WAF'];

  it('moves a proposed design to approved once; a second review is a conflict and leaves no review behind', async () => {
    const key = keys.record('acme', 'DESIGN', 'd1');
    await deps.store.put({ ...key, design_id: 'd1', status: 'proposed', version: 3 });
    const review = await reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: 'd1', design, components: goodComponents, scalability: '500 rps' });
    expect(review).toMatchObject({ approved: true, verdict_source: 'automatic', design_id: 'd1' });
    expect(await deps.store.get(key)).toMatchObject({ status: 'approved', review_id: review.review_id, version: 4 });
    await expect(
      reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: 'd1', design, components: goodComponents, scalability: '500 rps', verdict: 'reject', feedback: 'no' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('uses an equals precondition for designs without a version, and the CTO verdict overrides the checks', async () => {
    const key = keys.record('acme', 'DESIGN', 'd2');
    await deps.store.put({ ...key, design_id: 'd2', status: 'proposed' });
    const review = await reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: 'd2', design, components: ['api'], scalability: 'big', verdict: 'approve' });
    expect(review.approved).toBe(true);
    expect(review.feedback).toContain('with the modifications as conditions');
    expect(review.modifications.length).toBe(4);
    const stored = await deps.store.get(key);
    expect(stored).toMatchObject({ status: 'approved' });
    expect(stored?.version).toBeUndefined();
  });

  it('refuses unknown and other tenants\' designs, and rejections without a reason', async () => {
    await expect(reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: 'nope', design, components: goodComponents, scalability: '1 rps' })).rejects.toBeInstanceOf(NotFoundError);
    await deps.store.put({ ...keys.record('globex', 'DESIGN', 'd3'), design_id: 'd3', status: 'proposed' });
    await expect(reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: 'd3', design, components: goodComponents, scalability: '1 rps' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', design, components: goodComponents, scalability: '1 rps', verdict: 'reject' }),
    ).rejects.toThrow(/needs feedback or modifications/);
    expect((await deps.store.get(keys.record('globex', 'DESIGN', 'd3')))?.status).toBe('proposed');
  });

  it('approves a deployment only on the latest gate, and never while a severity-1 incident is open', async () => {
    const release = 'v9.0.0';
    const deploy = () => approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release, environments: ['production', 'staging'] });
    expect((await deploy()).reasons[0]).toContain('has no quality gate');

    now += 60_000;
    const passed = await runQualityGate(deps, { tenantId: 'acme', runBy: 'test_lead', release, results: GOOD });
    // A gate stamped earlier but recorded later (a slow run) does not replace the newer one.
    now -= 30_000;
    const late = await runQualityGate(deps, { tenantId: 'acme', runBy: 'test_lead', release, results: { ...GOOD, coverage_pct: 10 } });
    expect(late.passed).toBe(false);
    now += 60_000;
    const ok = await deploy();
    expect(ok).toMatchObject({ approved: true, gate_id: passed.gate_id });
    expect(ok.deployment_plan?.steps.map((s) => s.environment)).toEqual(['staging', 'production']);

    const { incident } = await declareIncident(deps, ctx, { tenantId: 'acme', declaredBy: 'operations_head', title: 'DB down', severity: 1, description: 'x', affectedServices: ['db'] });
    const sev2 = await declareIncident(deps, ctx, { tenantId: 'acme', declaredBy: 'operations_head', title: 'Slow', severity: 2, description: 'x', affectedServices: ['api'] });
    const refused = await deploy();
    expect(refused).toMatchObject({ approved: false, deployment_plan: null });
    expect(refused.reasons).toEqual([expect.stringContaining(incident.incident_id)]);
    expect((await approveDeployment(deps, { tenantId: 'globex', approver: 'cto', release, environments: ['staging'] })).reasons[0]).toContain('has no quality gate');

    await resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId: incident.incident_id, resolution: 'failover' });
    expect((await deploy()).approved).toBe(true);
    expect(sev2.incident.status).toBe('open');

    const stored = await deps.store.get(keys.record('acme', 'DEPLOYMENT', refused.deployment_id));
    expect(stored).toMatchObject({ status: 'refused', approved: false, release });
  });

  it('refuses malformed deployment requests before reading anything', async () => {
    await expect(approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release: 'v1#x', environments: ['dev'] })).rejects.toBeInstanceOf(ValidationError);
    await expect(approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release: 'v1', environments: ['dev', 'DEV'] })).rejects.toThrow(/twice/);
  });
});
