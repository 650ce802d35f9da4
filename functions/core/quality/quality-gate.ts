import type { RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { iso, listRecords } from '../operations/records.js';
import { openDefectCounts } from './defects.js';
import { field, type Codec } from '../versioned.js';
import { checkReleaseName, getRelease, updateRelease, type ReleaseSummary } from './release.js';

/** The record kind of quality gates. */
export const GATE = 'GATE';

/**
 * The gate's thresholds. Coverage uses the release's test-plan target when a
 * plan exists (create_test_plan), else `defaultCoveragePct`.
 */
export const GATE_THRESHOLDS = {
  minPassRatePct: 98,
  defaultCoveragePct: 80,
  maxCritical: 0,
  maxMajor: 2,
} as const;

export interface GateResults {
  readonly tests_total: number;
  readonly tests_passed: number;
  readonly coverage_pct: number;
  readonly critical_defects: number;
  readonly major_defects: number;
  readonly performance_p95_ms?: number;
  readonly performance_budget_ms?: number;
}

export interface GateCheck {
  readonly name: 'pass_rate' | 'coverage' | 'critical_defects' | 'major_defects' | 'performance';
  readonly passed: boolean;
  readonly detail: string;
}

/** What the release's test plan asks of the gate. */
export interface GateContext {
  readonly coverageTargetPct?: number;
  readonly planId?: string;
  /** The plan includes performance testing, so a p95 and a budget must be reported. */
  readonly performanceRequired?: boolean;
}

/**
 * Evaluates a quality gate, pure. The gate passes when every check passes:
 * - pass_rate: tests_passed / tests_total ≥ 98 %;
 * - coverage: coverage_pct ≥ the test plan's line-coverage target (default 80 %);
 * - critical_defects = 0;
 * - major_defects ≤ 2;
 * - performance: performance_p95_ms ≤ performance_budget_ms when measured;
 *   when not measured it passes unless the release's test plan includes
 *   performance testing.
 * Inconsistent results (passed > total, a p95 without a budget or the
 * reverse) are refused.
 */
export function evaluateGate(results: GateResults, context: GateContext = {}): GateCheck[] {
  const ints = ['tests_total', 'tests_passed', 'critical_defects', 'major_defects'] as const;
  for (const field of ints) {
    if (!Number.isInteger(results[field]) || results[field] < 0) throw new ValidationError(`${field} must be a non-negative integer`);
  }
  if (results.tests_total === 0) throw new ValidationError('tests_total must be at least 1: a gate without tests proves nothing');
  if (results.tests_passed > results.tests_total) throw new ValidationError(`tests_passed (${results.tests_passed}) exceeds tests_total (${results.tests_total})`);
  if (!(results.coverage_pct >= 0 && results.coverage_pct <= 100)) throw new ValidationError('coverage_pct must be a percentage from 0 to 100');
  const p95 = results.performance_p95_ms;
  const budget = results.performance_budget_ms;
  if ((p95 === undefined) !== (budget === undefined)) throw new ValidationError('performance_p95_ms and performance_budget_ms go together: give both or neither');
  if (p95 !== undefined && budget !== undefined && (!(p95 >= 0) || !(budget > 0))) throw new ValidationError('performance_p95_ms must be ≥ 0 and performance_budget_ms > 0');

  const rate = (results.tests_passed / results.tests_total) * 100;
  const rateShown = Math.floor(rate * 100) / 100;
  const target = context.coverageTargetPct ?? GATE_THRESHOLDS.defaultCoveragePct;
  const targetSource = context.planId ? `the target of test plan ${context.planId}` : 'the default target';
  const checks: GateCheck[] = [
    {
      name: 'pass_rate',
      // Integer comparison: exactly 98 of 100 passes without floating-point doubt.
      passed: results.tests_passed * 100 >= GATE_THRESHOLDS.minPassRatePct * results.tests_total,
      detail: `${results.tests_passed}/${results.tests_total} passed (${rateShown}%); required ≥ ${GATE_THRESHOLDS.minPassRatePct}%`,
    },
    {
      name: 'coverage',
      passed: results.coverage_pct >= target,
      detail: `coverage ${results.coverage_pct}%; required ≥ ${target}% (${targetSource})`,
    },
    {
      name: 'critical_defects',
      passed: results.critical_defects <= GATE_THRESHOLDS.maxCritical,
      detail: `${results.critical_defects} open critical defect(s) recorded; allowed ${GATE_THRESHOLDS.maxCritical}`,
    },
    {
      name: 'major_defects',
      passed: results.major_defects <= GATE_THRESHOLDS.maxMajor,
      detail: `${results.major_defects} open major defect(s) recorded; allowed ≤ ${GATE_THRESHOLDS.maxMajor}`,
    },
  ];
  if (p95 !== undefined && budget !== undefined) {
    checks.push({ name: 'performance', passed: p95 <= budget, detail: `p95 ${p95} ms; budget ${budget} ms` });
  } else if (context.performanceRequired) {
    checks.push({ name: 'performance', passed: false, detail: `the test plan includes performance testing but no p95 and budget were reported` });
  } else {
    checks.push({ name: 'performance', passed: true, detail: 'not measured; not required by a test plan' });
  }
  return checks;
}

export interface QualityGate {
  readonly gate_id: string;
  readonly release: string;
  readonly passed: boolean;
  readonly checks: GateCheck[];
  readonly failed_checks: string[];
  readonly run_by: RoleId;
  readonly created_at: string;
}

/** A gate as stored: the gate, the results it judged (defect counts from the record) and the defects counted. */
export interface GateRecord extends QualityGate {
  readonly tenant_id: string;
  readonly results: Record<string, unknown>;
  readonly defect_ids: string[];
  readonly version: number;
}

export const gateCodec: Codec<GateRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    gate_id: field.reqStr(i, 'gate_id'),
    release: field.reqStr(i, 'release'),
    passed: field.bool(i, 'passed'),
    checks: field.list<GateCheck>(i, 'checks'),
    failed_checks: field.strs(i, 'failed_checks'),
    run_by: field.oneOf<RoleId>(i, 'run_by', 'test_lead'),
    created_at: field.str(i, 'created_at'),
    results: field.obj(i, 'results'),
    defect_ids: field.strs(i, 'defect_ids'),
    version: field.num(i, 'version', 1),
  }),
  encode: (g) => ({
    ...keys.record(g.tenant_id, GATE, g.gate_id),
    gsi1pk: keys.recordIndex(g.tenant_id, GATE),
    gsi1sk: `${g.created_at}#${g.gate_id}`,
    type: 'quality_gate',
    ...g,
  }),
};

/**
 * Runs a quality gate on a release's results and records it (GATE record,
 * listed through GSI1). It becomes the release's latest gate — the one
 * deployment approval reads — unless a later gate is already recorded.
 */
export async function runQualityGate(
  deps: Deps,
  input: { tenantId: string; runBy: RoleId; release: string; results: Omit<GateResults, 'critical_defects' | 'major_defects'> & Partial<Pick<GateResults, 'critical_defects' | 'major_defects'>> },
): Promise<QualityGate> {
  const release = checkReleaseName(input.release);
  const [summary, defects] = await Promise.all([getRelease(deps, input.tenantId, release), openDefectCounts(deps, input.tenantId, release)]);
  // Defect counts come from the release's recorded defects (report_defect), never from the caller.
  const results: GateResults = { ...input.results, critical_defects: defects.critical, major_defects: defects.major };
  const checks = evaluateGate(results, gateContext(summary));
  const gateId = deps.ids.next();
  const at = iso(deps.clock.now());
  const gate: QualityGate = {
    gate_id: gateId,
    release,
    passed: checks.every((c) => c.passed),
    checks,
    failed_checks: checks.filter((c) => !c.passed).map((c) => c.name),
    run_by: input.runBy,
    created_at: at,
  };
  await deps.store.put(gateCodec.encode({ tenant_id: input.tenantId, ...gate, results: { ...results }, defect_ids: defects.defect_ids, version: 1 }), { kind: 'absent' });
  const order = `${at}#${gateId}`;
  await updateRelease(deps, input.tenantId, release, (current) =>
    current.latest_gate_order !== null && current.latest_gate_order > order
      ? undefined
      : { latest_gate_id: gateId, latest_gate_passed: gate.passed, latest_gate_order: order },
  );
  return gate;
}

function gateContext(summary: ReleaseSummary | undefined): GateContext {
  if (!summary?.latest_plan_id) return {};
  return {
    planId: summary.latest_plan_id,
    ...(summary.coverage_target_pct !== null ? { coverageTargetPct: summary.coverage_target_pct } : {}),
    performanceRequired: summary.planned_test_types.includes('performance'),
  };
}

/** The release's latest quality gate (strongly consistent), or undefined when none was run. */
export async function latestGate(deps: Deps, tenantId: string, release: string): Promise<QualityGate | undefined> {
  const summary = await getRelease(deps, tenantId, checkReleaseName(release));
  if (!summary?.latest_gate_id) return undefined;
  const item = await deps.store.get(keys.record(tenantId, GATE, summary.latest_gate_id));
  return item ? toGate(gateCodec.decode(item)) : undefined;
}

/** Lists quality gates newest first, optionally of one release and/or only passed or failed ones. */
export async function listQualityGates(
  deps: Deps,
  input: { tenantId: string; release?: string; passed?: boolean; limit: number; cursor?: string },
): Promise<{ gates: QualityGate[]; next_cursor: string | null }> {
  if (input.release !== undefined) checkReleaseName(input.release);
  const page = await listRecords(deps, {
    indexPk: keys.recordIndex(input.tenantId, GATE),
    limit: input.limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
    decode: gateCodec.decode,
    matches: (g) => (input.release === undefined || g.release === input.release) && (input.passed === undefined || g.passed === input.passed),
  });
  return { gates: page.items.map(toGate), next_cursor: page.next_cursor };
}

function toGate(g: GateRecord): QualityGate {
  return { gate_id: g.gate_id, release: g.release, passed: g.passed, checks: g.checks, failed_checks: g.failed_checks, run_by: g.run_by, created_at: g.created_at };
}
