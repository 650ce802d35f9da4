import type { RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { documentCodec } from '../documents.js';
import { iso, uniqueNames } from '../operations/records.js';
import { GATE_THRESHOLDS } from './quality-gate.js';
import { checkReleaseName, updateRelease } from './release.js';

/** The record kind of test plans. */
export const TEST_PLAN = 'TESTPLAN';

export const TEST_TYPES = ['unit', 'integration', 'e2e', 'regression', 'performance', 'security', 'accessibility', 'exploratory'] as const;
export type TestType = (typeof TEST_TYPES)[number];
export type RiskLevel = 'low' | 'medium' | 'high';

/** Base effort per scope item per test type, in hours, before the risk multiplier. */
export const BASE_HOURS: Readonly<Record<TestType, number>> = {
  unit: 4,
  integration: 6,
  e2e: 8,
  regression: 3,
  performance: 12,
  security: 10,
  accessibility: 6,
  exploratory: 4,
};

/** Effort multiplier per risk level: riskier releases get deeper cases and more review. */
export const RISK_MULTIPLIER: Readonly<Record<RiskLevel, number>> = { low: 1, medium: 1.5, high: 2 };

/** Coverage targets per risk level (percent): line coverage feeds the quality gate's coverage check. */
export const COVERAGE_TARGETS: Readonly<Record<RiskLevel, { line_pct: number; branch_pct: number }>> = {
  low: { line_pct: 70, branch_pct: 60 },
  medium: { line_pct: 80, branch_pct: 70 },
  high: { line_pct: 90, branch_pct: 80 },
};

/** Test types planned when none are named: each risk level adds to the one below. */
export const DEFAULT_TEST_TYPES: Readonly<Record<RiskLevel, readonly TestType[]>> = {
  low: ['unit', 'integration'],
  medium: ['unit', 'integration', 'e2e', 'regression'],
  high: ['unit', 'integration', 'e2e', 'regression', 'performance', 'security'],
};

/** Focused testing hours per person-day, for the day estimate. */
export const HOURS_PER_DAY = 6;

export interface PlannedTests {
  readonly test_types: TestType[];
  readonly coverage_targets: { line_pct: number; branch_pct: number };
  readonly effort_hours: number;
  readonly effort_days: number;
  readonly effort_breakdown: { test_type: TestType; hours: number }[];
  readonly exit_criteria: string[];
}

/**
 * Plans the tests of a release, pure.
 * effort_hours = Σ over test types t of BASE_HOURS[t] × |scope| × RISK_MULTIPLIER[risk]
 * (low 1, medium 1.5, high 2); effort_days = ⌈effort_hours / 6⌉. Coverage
 * targets come from COVERAGE_TARGETS[risk]; test types default to
 * DEFAULT_TEST_TYPES[risk]. The exit criteria are the quality gate's checks.
 */
export function planTests(scope: readonly string[], risk: RiskLevel, testTypes?: readonly TestType[]): PlannedTests {
  const types = testTypes && testTypes.length > 0 ? TEST_TYPES.filter((t) => testTypes.includes(t)) : [...DEFAULT_TEST_TYPES[risk]];
  const breakdown = types.map((t) => ({ test_type: t, hours: BASE_HOURS[t] * scope.length * RISK_MULTIPLIER[risk] }));
  const hours = breakdown.reduce((sum, b) => sum + b.hours, 0);
  const coverage = COVERAGE_TARGETS[risk];
  const exit = [
    `pass rate ≥ ${GATE_THRESHOLDS.minPassRatePct}%`,
    `line coverage ≥ ${coverage.line_pct}% (branch coverage target ${coverage.branch_pct}%)`,
    `critical defects = ${GATE_THRESHOLDS.maxCritical}`,
    `major defects ≤ ${GATE_THRESHOLDS.maxMajor}`,
    ...(types.includes('performance') ? ['p95 latency within the performance budget'] : []),
  ];
  return {
    test_types: types,
    coverage_targets: { ...coverage },
    effort_hours: hours,
    effort_days: Math.ceil(hours / HOURS_PER_DAY),
    effort_breakdown: breakdown,
    exit_criteria: exit,
  };
}

export interface TestPlan extends PlannedTests {
  readonly plan_id: string;
  readonly release: string;
  readonly scope: string[];
  readonly risk_level: RiskLevel;
  readonly created_at: string;
}

/**
 * Creates and stores a test plan; it becomes the release's latest plan, whose
 * coverage target and test types the quality gate then applies.
 */
export async function createTestPlan(
  deps: Deps,
  input: { tenantId: string; author: RoleId; release: string; scope: readonly string[]; riskLevel: RiskLevel; testTypes?: readonly TestType[] },
): Promise<TestPlan> {
  const release = checkReleaseName(input.release);
  const scope = uniqueNames(input.scope, 'scope');
  const planned = planTests(scope, input.riskLevel, input.testTypes);
  const planId = deps.ids.next();
  const at = iso(deps.clock.now());
  const plan: TestPlan = { plan_id: planId, release, scope, risk_level: input.riskLevel, ...planned, created_at: at };
  await deps.store.put(testPlanCodec(input.tenantId).encode({ ...plan, tenant_id: input.tenantId, author: input.author, version: 1 }), { kind: 'absent' });
  await updateRelease(deps, input.tenantId, release, () => ({
    latest_plan_id: planId,
    coverage_target_pct: plan.coverage_targets.line_pct,
    planned_test_types: plan.test_types,
  }));
  return plan;
}

/** A test plan as stored: the plan, its tenant and author (written once). */
export type TestPlanRecord = TestPlan & { readonly tenant_id: string; readonly author: RoleId; readonly version: number };

export function testPlanCodec(tenantId: string) {
  return documentCodec<TestPlanRecord>(tenantId, { kind: TEST_PLAN, type: 'test_plan', id: 'plan_id', at: 'created_at', required: ['release', 'scope'] });
}
