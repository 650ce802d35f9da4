import { ValidationError } from '../errors.js';

export interface ThreePointTask {
  readonly title: string;
  readonly optimistic: number;
  readonly likely: number;
  readonly pessimistic: number;
}

export interface PertEstimate {
  readonly tasks: { title: string; expected: number; std_dev: number }[];
  readonly total_expected: number;
  readonly total_std_dev: number;
  /** total_expected ± 1.96 × total_std_dev, the low end floored at 0. */
  readonly range_95: { low: number; high: number };
  readonly formula: string;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The z-value of a two-sided 95 % interval of the normal distribution. */
export const Z_95 = 1.96;

/**
 * PERT three-point estimate. Per task: expected E = (O + 4M + P) ÷ 6,
 * standard deviation σ = (P − O) ÷ 6. Total: ΣE, σ = √Σσ² (tasks taken
 * as independent); 95 % range = ΣE ± 1.96 σ (normal approximation), low end
 * floored at 0. Refused: O ≤ M ≤ P not holding, negative values, duplicate titles.
 */
export function estimatePert(tasks: readonly ThreePointTask[]): PertEstimate {
  if (tasks.length === 0) throw new ValidationError('give at least one task');
  const titles = new Set<string>();
  const rows = tasks.map((t) => {
    if (titles.has(t.title)) throw new ValidationError(`duplicate task title "${t.title}"`);
    titles.add(t.title);
    if (!(t.optimistic >= 0)) throw new ValidationError(`task "${t.title}": optimistic must be ≥ 0`);
    if (!(t.optimistic <= t.likely && t.likely <= t.pessimistic)) {
      throw new ValidationError(`task "${t.title}": needs optimistic ≤ likely ≤ pessimistic (got ${t.optimistic}, ${t.likely}, ${t.pessimistic})`);
    }
    return { title: t.title, expected: (t.optimistic + 4 * t.likely + t.pessimistic) / 6, sd: (t.pessimistic - t.optimistic) / 6 };
  });
  const expected = rows.reduce((s, r) => s + r.expected, 0);
  const sd = Math.sqrt(rows.reduce((s, r) => s + r.sd * r.sd, 0));
  return {
    tasks: rows.map((r) => ({ title: r.title, expected: round2(r.expected), std_dev: round2(r.sd) })),
    total_expected: round2(expected),
    total_std_dev: round2(sd),
    range_95: { low: round2(Math.max(0, expected - Z_95 * sd)), high: round2(expected + Z_95 * sd) },
    formula: 'E = (O + 4M + P) / 6; σ = (P − O) / 6; total σ = √Σσ²; 95 % range = ΣE ± 1.96 σ',
  };
}
