import { ValidationError } from '../errors.js';

export interface CodebaseMetrics {
  /** Line coverage, percent (0–100). */
  readonly test_coverage: number;
  /** Average cyclomatic complexity per function (≥ 1). */
  readonly avg_cyclomatic_complexity: number;
  /** Duplicated lines, percent (0–100). */
  readonly duplication_pct: number;
  /** Dependencies behind their latest major version. */
  readonly outdated_dependencies: number;
  readonly open_bugs: number;
  readonly code_smells: number;
  readonly lines_of_code: number;
}

export type DebtDimension = 'test_coverage' | 'complexity' | 'duplication' | 'dependencies' | 'bug_density' | 'smell_density';

export interface DebtComponent {
  readonly dimension: DebtDimension;
  /** The measured value (densities per 1,000 lines of code). */
  readonly value: number;
  /** 0 (healthy) to 1 (at or beyond the worst bound). */
  readonly penalty: number;
  readonly weight: number;
  /** Points of the 0–100 debt score: 100 × weight × penalty. */
  readonly contribution: number;
  /** Where the penalty is 0. */
  readonly healthy: string;
}

export interface DebtAssessment {
  /** 0 (no debt) to 100 (worst), one decimal. */
  readonly debt_score: number;
  readonly rating: 'low' | 'moderate' | 'high' | 'critical';
  /** Fixes for every dimension with a penalty, largest contribution first. */
  readonly priority_fixes: string[];
  readonly breakdown: DebtComponent[];
}

/**
 * Each dimension's penalty rises linearly from 0 at its healthy bound to 1
 * at its worst bound (clamped), weighted (weights sum to 1).
 */
export const DEBT_MODEL: readonly { dimension: DebtDimension; weight: number; healthy: number; worst: number }[] = [
  { dimension: 'test_coverage', weight: 0.25, healthy: 80, worst: 0 },
  { dimension: 'complexity', weight: 0.2, healthy: 5, worst: 20 },
  { dimension: 'duplication', weight: 0.15, healthy: 3, worst: 25 },
  { dimension: 'dependencies', weight: 0.15, healthy: 0, worst: 20 },
  { dimension: 'bug_density', weight: 0.15, healthy: 0, worst: 5 },
  { dimension: 'smell_density', weight: 0.1, healthy: 0, worst: 20 },
];

/**
 * The technical-debt score, pure:
 * debt_score = 100 × Σ_d weight_d × penalty_d, with
 * penalty_d = clamp((value_d − healthy_d) / (worst_d − healthy_d), 0, 1) and
 * - test_coverage (25 %): healthy ≥ 80 %, worst 0 %;
 * - complexity (20 %): average cyclomatic complexity, healthy ≤ 5, worst ≥ 20;
 * - duplication (15 %): healthy ≤ 3 %, worst ≥ 25 %;
 * - dependencies (15 %): outdated dependencies, healthy 0, worst ≥ 20;
 * - bug_density (15 %): open bugs per KLOC, healthy 0, worst ≥ 5;
 * - smell_density (10 %): code smells per KLOC, healthy 0, worst ≥ 20.
 * Rating: < 20 low, < 40 moderate, < 60 high, else critical. Priority fixes
 * are the dimensions with a penalty, by contribution (ties: model order).
 */
export function assessTechnicalDebt(metrics: CodebaseMetrics): DebtAssessment {
  const m = metrics;
  const percent = (name: string, v: number) => {
    if (!(v >= 0 && v <= 100)) throw new ValidationError(`codebase_metrics.${name} is a percentage from 0 to 100`);
  };
  const count = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0) throw new ValidationError(`codebase_metrics.${name} must be a non-negative integer`);
  };
  percent('test_coverage', m.test_coverage);
  percent('duplication_pct', m.duplication_pct);
  if (!(m.avg_cyclomatic_complexity >= 1 && Number.isFinite(m.avg_cyclomatic_complexity))) {
    throw new ValidationError('codebase_metrics.avg_cyclomatic_complexity must be at least 1 (a function without branches)');
  }
  count('outdated_dependencies', m.outdated_dependencies);
  count('open_bugs', m.open_bugs);
  count('code_smells', m.code_smells);
  count('lines_of_code', m.lines_of_code);
  if (m.lines_of_code === 0) throw new ValidationError('codebase_metrics.lines_of_code must be at least 1');

  const kloc = m.lines_of_code / 1000;
  const values: Record<DebtDimension, number> = {
    test_coverage: m.test_coverage,
    complexity: m.avg_cyclomatic_complexity,
    duplication: m.duplication_pct,
    dependencies: m.outdated_dependencies,
    bug_density: m.open_bugs / kloc,
    smell_density: m.code_smells / kloc,
  };
  const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;
  const penalties = DEBT_MODEL.map((d) => Math.min(1, Math.max(0, (values[d.dimension] - d.healthy) / (d.worst - d.healthy))));
  const breakdown: DebtComponent[] = DEBT_MODEL.map((d, i) => {
    const value = values[d.dimension];
    const penalty = penalties[i] as number;
    return {
      dimension: d.dimension,
      value: round(value, 2),
      penalty: round(penalty, 4),
      weight: d.weight,
      contribution: round(100 * d.weight * penalty, 2),
      healthy: d.dimension === 'test_coverage' ? `≥ ${d.healthy}` : `≤ ${d.healthy}`,
    };
  });
  const score = round(DEBT_MODEL.reduce((sum, d, i) => sum + 100 * d.weight * (penalties[i] as number), 0), 1);
  const fixes = breakdown
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => b.penalty > 0)
    .sort((x, y) => y.b.contribution - x.b.contribution || x.i - y.i)
    .map(({ b }) => `${fixFor(b, m)} (−${b.contribution} points)`);
  return {
    debt_score: score,
    rating: score < 20 ? 'low' : score < 40 ? 'moderate' : score < 60 ? 'high' : 'critical',
    priority_fixes: fixes,
    breakdown,
  };
}

function fixFor(b: DebtComponent, m: CodebaseMetrics): string {
  switch (b.dimension) {
    case 'test_coverage':
      return `Raise test coverage from ${m.test_coverage}% to at least 80%, starting with the most changed modules`;
    case 'complexity':
      return `Reduce average cyclomatic complexity from ${m.avg_cyclomatic_complexity} to 5 or less by splitting the most complex functions`;
    case 'duplication':
      return `Cut duplication from ${m.duplication_pct}% to 3% or less by extracting shared code`;
    case 'dependencies':
      return `Upgrade the ${m.outdated_dependencies} outdated dependencies, security-relevant ones first`;
    case 'bug_density':
      return `Burn down the ${m.open_bugs} open bugs (${b.value} per KLOC)`;
    case 'smell_density':
      return `Clean up the ${m.code_smells} code smells (${b.value} per KLOC)`;
  }
}
