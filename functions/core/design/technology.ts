import { ValidationError } from '../errors.js';

/** The six criteria a technology is scored on, each 0..10 (10 best; for cost, 10 = cheapest). */
export const TECH_CRITERIA = ['maturity', 'community', 'performance', 'team_familiarity', 'cost', 'security'] as const;
export type TechCriterion = (typeof TECH_CRITERIA)[number];

/** Default weights (sum 1): maturity 0.2, community 0.15, performance 0.2, team_familiarity 0.15, cost 0.1, security 0.2. */
export const DEFAULT_TECH_WEIGHTS: Readonly<Record<TechCriterion, number>> = {
  maturity: 0.2,
  community: 0.15,
  performance: 0.2,
  team_familiarity: 0.15,
  cost: 0.1,
  security: 0.2,
};

export type Recommendation = 'adopt' | 'trial' | 'assess' | 'hold';

/** Score thresholds: adopt ≥ 7.5, trial ≥ 6, assess ≥ 4, hold below. */
export const RECOMMENDATION_THRESHOLDS = { adopt: 7.5, trial: 6, assess: 4 } as const;
/** A weighted criterion below this is a critical weakness: the recommendation is capped at assess. */
export const CRITICAL_WEAKNESS = 3;

export interface TechnologyEvaluation {
  readonly score: number;
  readonly recommendation: Recommendation;
  readonly pros: string[];
  readonly cons: string[];
  readonly breakdown: { criterion: TechCriterion; score: number; weight: number; contribution: number }[];
  readonly rationale: string;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const label = (c: TechCriterion): string => c.replace('_', ' ');

/**
 * Evaluates a technology: score = Σ wᵢ·sᵢ ÷ Σ wᵢ over the six criteria
 * (0..10). Weights default to DEFAULT_TECH_WEIGHTS; given weights replace
 * the defaults for the criteria they name (non-negative, not all zero) and
 * are normalized by their sum. Recommendation: adopt ≥ 7.5, trial ≥ 6,
 * assess ≥ 4, hold below; a criterion with weight > 0 scoring below 3 caps
 * it at assess (a critical weakness is not averaged away). Pros: criteria
 * scoring ≥ 7; cons: criteria scoring ≤ 4; each ordered by weight.
 */
export function evaluateTechnology(
  technology: string,
  useCase: string,
  scores: Readonly<Record<TechCriterion, number>>,
  weights: Partial<Record<TechCriterion, number>> = {},
): TechnologyEvaluation {
  for (const c of TECH_CRITERIA) {
    const s = scores[c];
    if (!(s >= 0 && s <= 10)) throw new ValidationError(`scores.${c} must be in [0, 10]`);
    const w = weights[c];
    if (w !== undefined && !(w >= 0)) throw new ValidationError(`weights.${c} must be ≥ 0`);
  }
  const w = Object.fromEntries(TECH_CRITERIA.map((c) => [c, weights[c] ?? DEFAULT_TECH_WEIGHTS[c]])) as Record<TechCriterion, number>;
  const total = TECH_CRITERIA.reduce((sum, c) => sum + w[c], 0);
  if (!(total > 0)) throw new ValidationError('weights must not all be zero');

  const breakdown = TECH_CRITERIA.map((c) => ({ criterion: c, score: scores[c], weight: round2(w[c] / total), contribution: (w[c] / total) * scores[c] }));
  const exact = breakdown.reduce((sum, b) => sum + b.contribution, 0);
  const score = round2(exact);
  const byWeight = [...breakdown].sort((a, b) => b.weight - a.weight || TECH_CRITERIA.indexOf(a.criterion) - TECH_CRITERIA.indexOf(b.criterion));
  const pros = byWeight.filter((b) => b.score >= 7).map((b) => `strong ${label(b.criterion)} (${b.score}/10, weight ${b.weight})`);
  const cons = byWeight.filter((b) => b.score <= 4).map((b) => `weak ${label(b.criterion)} (${b.score}/10, weight ${b.weight})`);
  const weaknesses = breakdown.filter((b) => w[b.criterion] > 0 && b.score < CRITICAL_WEAKNESS).map((b) => b.criterion);

  let recommendation: Recommendation =
    score >= RECOMMENDATION_THRESHOLDS.adopt ? 'adopt' : score >= RECOMMENDATION_THRESHOLDS.trial ? 'trial' : score >= RECOMMENDATION_THRESHOLDS.assess ? 'assess' : 'hold';
  let rationale = `${technology} for ${useCase}: weighted score ${score}/10 (adopt ≥ 7.5, trial ≥ 6, assess ≥ 4, hold below) → ${recommendation}.`;
  if (weaknesses.length && (recommendation === 'adopt' || recommendation === 'trial')) {
    recommendation = 'assess';
    rationale += ` Capped at assess: ${weaknesses.map(label).join(', ')} below ${CRITICAL_WEAKNESS}/10.`;
  }
  return { score, recommendation, pros, cons, breakdown: breakdown.map((b) => ({ ...b, contribution: round2(b.contribution) })), rationale };
}
