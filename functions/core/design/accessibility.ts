import { ValidationError } from '../errors.js';

export const WCAG_LEVELS = ['A', 'AA', 'AAA'] as const;
export type WcagLevel = (typeof WCAG_LEVELS)[number];

/** Weights of a finding in the score by level: A 3, AA 2, AAA 1 (a failure at a lower level costs more). */
export const LEVEL_WEIGHTS: Readonly<Record<WcagLevel, number>> = { A: 3, AA: 2, AAA: 1 };

export interface AccessibilityFinding {
  /** A WCAG success criterion id, e.g. "1.4.3". */
  readonly criterion: string;
  readonly level: WcagLevel;
  readonly passed: boolean;
  readonly notes?: string;
}

export interface AccessibilityReview {
  /** 0..100. */
  readonly score: number;
  readonly conformance_level: WcagLevel | 'none';
  readonly blocking_issues: { criterion: string; level: WcagLevel; notes: string | null }[];
  readonly advisories: { criterion: string; level: WcagLevel; notes: string | null }[];
  readonly by_level: Record<WcagLevel, { reviewed: number; passed: number; failed: number }>;
  readonly rationale: string;
}

const CRITERION = /^[1-4]\.\d{1,2}\.\d{1,2}$/;

/**
 * Scores an accessibility review from WCAG findings.
 *
 * score = 100 × Σ weight(passed) ÷ Σ weight(all), weights A 3, AA 2, AAA 1
 * (rounded to one decimal). Blocking issues: every failed A or AA finding
 * (AA is the usual legal bar); failed AAA findings are advisories.
 * Conformance: the highest level L such that every level up to L has at
 * least one finding and all of them passed; `none` otherwise (only the
 * criteria reviewed are known — a level with no findings is not claimed).
 * The same criterion twice is refused.
 */
export function reviewAccessibility(findings: readonly AccessibilityFinding[]): AccessibilityReview {
  if (findings.length === 0) throw new ValidationError('give at least one finding');
  const seen = new Set<string>();
  for (const f of findings) {
    if (!CRITERION.test(f.criterion)) throw new ValidationError(`"${f.criterion}" is not a WCAG success criterion id like "1.4.3"`);
    if (seen.has(f.criterion)) throw new ValidationError(`criterion ${f.criterion} is listed twice; give one finding per criterion`);
    seen.add(f.criterion);
  }
  const byLevel = Object.fromEntries(
    WCAG_LEVELS.map((level) => {
      const at = findings.filter((f) => f.level === level);
      return [level, { reviewed: at.length, passed: at.filter((f) => f.passed).length, failed: at.filter((f) => !f.passed).length }];
    }),
  ) as Record<WcagLevel, { reviewed: number; passed: number; failed: number }>;
  const total = findings.reduce((sum, f) => sum + LEVEL_WEIGHTS[f.level], 0);
  const passed = findings.filter((f) => f.passed).reduce((sum, f) => sum + LEVEL_WEIGHTS[f.level], 0);
  const score = Math.round((1000 * passed) / total) / 10;

  let conformance: WcagLevel | 'none' = 'none';
  for (const level of WCAG_LEVELS) {
    const l = byLevel[level];
    if (l.reviewed === 0 || l.failed > 0) break;
    conformance = level;
  }
  const view = (f: AccessibilityFinding) => ({ criterion: f.criterion, level: f.level, notes: f.notes ?? null });
  const blocking = findings.filter((f) => !f.passed && f.level !== 'AAA').map(view);
  const advisories = findings.filter((f) => !f.passed && f.level === 'AAA').map(view);
  const stopped = WCAG_LEVELS.find((level) => byLevel[level].reviewed === 0 || byLevel[level].failed > 0);
  const rationale =
    `Score ${score}/100 (weights A 3, AA 2, AAA 1). ` +
    (conformance === 'none' ? 'No level achieved' : `Conforms to ${conformance} for the criteria reviewed`) +
    (stopped ? `; ${stopped} ${byLevel[stopped].reviewed === 0 ? 'was not reviewed' : `has ${byLevel[stopped].failed} failure(s)`}.` : '.') +
    (blocking.length ? ` ${blocking.length} blocking issue(s) must be fixed before release.` : ' No blocking issues.');
  return { score, conformance_level: conformance, blocking_issues: blocking, advisories, by_level: byLevel, rationale };
}
