import { ValidationError } from '../errors.js';
import { uniqueNames } from '../operations/records.js';

export interface SelectionInput {
  readonly options: readonly string[];
  /** Criterion → weight (≥ 0; at least one positive). Weights are relative: they are normalized to sum to 1. */
  readonly criteria: Readonly<Record<string, number>>;
  /** Option → criterion → score from 0 (worst) to 10 (best). Every option must score every criterion. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly timeline: string;
}

export interface RankedOption {
  readonly option: string;
  /** Σ_c w_c · s(option, c) with normalized weights: 0–10, rounded to 2 decimals. */
  readonly weighted_score: number;
}

export interface MigrationPhase {
  readonly phase: string;
  readonly share: number;
  /** Weeks for this phase when the timeline states a duration, else null. */
  readonly weeks: number | null;
}

export interface Selection {
  readonly selected: string;
  readonly rationale: string;
  readonly migration_plan: string;
  readonly migration_phases: MigrationPhase[];
  readonly ranking: RankedOption[];
  /** Criterion → normalized weight (sums to 1), rounded to 4 decimals. */
  readonly normalized_weights: Record<string, number>;
}

/** Phases of the migration and their share of the timeline. */
export const MIGRATION_PHASES: readonly { phase: string; share: number }[] = [
  { phase: 'proof of concept against the top criteria', share: 0.2 },
  { phase: 'pilot on one non-critical service', share: 0.3 },
  { phase: 'staged rollout, service by service, with rollback kept ready', share: 0.4 },
  { phase: 'decommission the old stack and document the decision', share: 0.1 },
];

/** A winner's lead below this (on the 0–10 scale) is called a close call. */
export const CLOSE_CALL_MARGIN = 0.5;
/** A criterion scored below this by the winner is named as a risk. */
export const WEAK_SCORE = 4;

const EPSILON = 1e-9;

/**
 * Weighted scoring over options × criteria, pure.
 * w_c = weight_c / Σ weights; score(o) = Σ_c w_c · s(o, c), on the 0–10 scale.
 * Options are ranked by score, highest first. Ties (|Δ| < 1e-9) are broken,
 * deterministically, by the higher score on the heaviest criterion, then the
 * next heaviest (equal weights in name order), and finally by the order the
 * options were given; the rationale says when a tie was broken and how.
 * Every option must score every criterion, and nothing else.
 */
export function selectTechnology(input: SelectionInput): Selection {
  const options = uniqueNames(input.options, 'options');
  if (options.length < 2) throw new ValidationError('options must name at least two alternatives to choose between');
  const criteria = Object.keys(input.criteria).map((c) => c.trim());
  if (criteria.length === 0) throw new ValidationError('criteria must name at least one criterion with its weight');
  if (criteria.some((c) => c === '')) throw new ValidationError('criteria names must not be empty');
  for (const [name, weight] of Object.entries(input.criteria)) {
    if (!Number.isFinite(weight) || weight < 0) throw new ValidationError(`criteria.${name}: the weight must be a number ≥ 0`);
  }
  const total = Object.values(input.criteria).reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ValidationError('criteria weights must not all be zero');
  const names = Object.keys(input.criteria);
  const weight = (c: string) => (input.criteria[c] as number) / total;

  for (const scored of Object.keys(input.scores)) {
    if (!options.includes(scored)) throw new ValidationError(`scores.${scored}: not one of the options (${options.join(', ')})`);
  }
  const missing: string[] = [];
  for (const option of options) {
    const row = input.scores[option];
    if (!row) {
      missing.push(`${option} (all criteria)`);
      continue;
    }
    for (const c of Object.keys(row)) {
      if (!names.includes(c)) throw new ValidationError(`scores.${option}.${c}: not one of the criteria (${names.join(', ')})`);
    }
    for (const c of names) {
      const s = row[c];
      if (s === undefined) missing.push(`${option}.${c}`);
      else if (!Number.isFinite(s) || s < 0 || s > 10) throw new ValidationError(`scores.${option}.${c}: a score is from 0 to 10`);
    }
  }
  if (missing.length > 0) throw new ValidationError(`every option needs a score for every criterion; missing: ${missing.join(', ')}`);

  const score = (o: string) => names.reduce((sum, c) => sum + weight(c) * (input.scores[o]?.[c] as number), 0);
  const byWeight = [...names].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  const exact = new Map(options.map((o) => [o, score(o)]));
  const tieNotes: string[] = [];
  const ordered = [...options].sort((a, b) => {
    const d = (exact.get(b) as number) - (exact.get(a) as number);
    if (Math.abs(d) >= EPSILON) return d;
    for (const c of byWeight) {
      const dc = (input.scores[b]?.[c] as number) - (input.scores[a]?.[c] as number);
      if (dc !== 0) return dc;
    }
    return options.indexOf(a) - options.indexOf(b);
  });
  const round2 = (n: number) => Math.round(n * 100) / 100;
  const ranking = ordered.map((o) => ({ option: o, weighted_score: round2(exact.get(o) as number) }));
  const [winner, runnerUp] = ordered as [string, string];
  const lead = (exact.get(winner) as number) - (exact.get(runnerUp) as number);

  if (Math.abs(lead) < EPSILON) {
    const decider = byWeight.find((c) => input.scores[winner]?.[c] !== input.scores[runnerUp]?.[c]);
    tieNotes.push(
      decider
        ? `${winner} and ${runnerUp} tie at ${round2(exact.get(winner) as number)}; the tie is broken by the heaviest criterion that separates them, ${decider} (${input.scores[winner]?.[decider]} vs ${input.scores[runnerUp]?.[decider]}).`
        : `${winner} and ${runnerUp} tie on every criterion; the tie is broken by the order the options were given.`,
    );
  }
  const pct = (c: string) => `${Math.round(weight(c) * 1000) / 10}%`;
  const strongest = byWeight.reduce((best, c) => (weight(c) * (input.scores[winner]?.[c] as number) > weight(best) * (input.scores[winner]?.[best] as number) ? c : best));
  const weak = names.filter((c) => (input.scores[winner]?.[c] as number) < WEAK_SCORE);
  const rationale = [
    `${winner} ranks first with a weighted score of ${round2(exact.get(winner) as number)}/10 (score = Σ normalized weight × score; weights ${byWeight.map((c) => `${c} ${pct(c)}`).join(', ')}).`,
    Math.abs(lead) >= EPSILON
      ? `It leads ${runnerUp} (${round2(exact.get(runnerUp) as number)}) by ${round2(lead)}${lead < CLOSE_CALL_MARGIN ? ' — a close call: validate both in the proof of concept' : ''}.`
      : '',
    ...tieNotes,
    `Its largest contribution is ${strongest} (${input.scores[winner]?.[strongest]}/10 at weight ${pct(strongest)}).`,
    weak.length > 0 ? `Risks: it scores below ${WEAK_SCORE}/10 on ${weak.map((c) => `${c} (${input.scores[winner]?.[c]})`).join(', ')}; mitigate these first.` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');

  const weeks = timelineWeeks(input.timeline);
  const phases = MIGRATION_PHASES.map((p) => ({ phase: p.phase, share: p.share, weeks: weeks === null ? null : Math.round(weeks * p.share * 10) / 10 }));
  const migrationPlan =
    (weeks === null
      ? `Timeline "${input.timeline}" states no duration to split; phases in order: `
      : `Over ${Math.round(weeks * 10) / 10} weeks (${input.timeline}): `) +
    phases.map((p, i) => `${i + 1}. ${p.phase}${p.weeks === null ? '' : ` (${p.weeks} wk)`}`).join('; ') +
    `. Fallback if the pilot fails its exit criteria: ${runnerUp}.`;

  return {
    selected: winner,
    rationale,
    migration_plan: migrationPlan,
    migration_phases: phases,
    ranking,
    normalized_weights: Object.fromEntries(names.map((c) => [c, Math.round(weight(c) * 10_000) / 10_000])),
  };
}

const WEEKS_PER: Readonly<Record<string, number>> = { day: 1 / 7, week: 1, month: 52 / 12, quarter: 13, year: 52 };

/** The duration a timeline states ("6 weeks", "3 months", "1 quarter", "90 days"), in weeks, or null. */
export function timelineWeeks(timeline: string): number | null {
  const match = /(\d+(?:\.\d+)?)\s*(day|week|wk|month|mo|quarter|qtr|year|yr)s?\b/i.exec(timeline);
  if (!match) return null;
  const unit = (match[2] as string).toLowerCase();
  const canonical = unit === 'wk' ? 'week' : unit === 'mo' ? 'month' : unit === 'qtr' ? 'quarter' : unit === 'yr' ? 'year' : unit;
  const weeks = Number(match[1]) * (WEEKS_PER[canonical] as number);
  return weeks > 0 ? weeks : null;
}
