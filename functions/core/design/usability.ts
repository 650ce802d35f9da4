import { ValidationError } from '../errors.js';

/** The average SUS score (Sauro): above it a product is more usable than most. */
export const SUS_BENCHMARK = 68;
/** The average task completion rate across usability studies (Sauro): tasks below it are flagged. */
export const TASK_COMPLETION_BENCHMARK = 0.78;

export type SusGrade = 'A' | 'B' | 'C' | 'D' | 'F';

export interface UsabilityTask {
  readonly name: string;
  readonly attempts: number;
  readonly completions: number;
}

export interface UsabilityReview {
  readonly participants: number;
  /** Mean SUS score, 0..100. */
  readonly sus_score: number;
  readonly sus_scores: number[];
  readonly grade: SusGrade;
  readonly above_benchmark: boolean;
  readonly tasks: { name: string; completion_rate: number; flagged: boolean }[];
  readonly findings: string[];
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * One participant's SUS score: ten answers 1..5; odd items (positive)
 * contribute answer − 1, even items (negative) 5 − answer; the sum × 2.5
 * gives 0..100 (Brooke, 1986).
 */
export function susScore(answers: readonly number[]): number {
  if (answers.length !== 10) throw new ValidationError(`a SUS response has exactly 10 answers (got ${answers.length})`);
  let sum = 0;
  answers.forEach((a, i) => {
    if (!Number.isInteger(a) || a < 1 || a > 5) throw new ValidationError(`SUS answers are integers 1..5 (item ${i + 1} is ${a})`);
    sum += i % 2 === 0 ? a - 1 : 5 - a;
  });
  return sum * 2.5;
}

/** Letter grade on the Sauro–Lewis curved scale: A ≥ 78.9, B ≥ 72.6, C ≥ 62.7, D ≥ 51.7, F below. */
export function susGrade(score: number): SusGrade {
  if (score >= 78.9) return 'A';
  if (score >= 72.6) return 'B';
  if (score >= 62.7) return 'C';
  if (score >= 51.7) return 'D';
  return 'F';
}

/**
 * Scores a usability study: the mean SUS over participants (susScore),
 * its grade (susGrade) and whether it beats the 68 benchmark; each task's
 * completion rate = completions ÷ attempts, flagged below 78 %.
 */
export function reviewUsability(responses: readonly (readonly number[])[], tasks: readonly UsabilityTask[] = []): UsabilityReview {
  if (responses.length === 0) throw new ValidationError('give at least one SUS response');
  const scores = responses.map((r, i) => {
    try {
      return susScore(r);
    } catch (error) {
      throw new ValidationError(`responses[${i}]: ${(error as Error).message}`);
    }
  });
  const mean = round1(scores.reduce((a, b) => a + b, 0) / scores.length);
  const names = new Set<string>();
  const taskResults = tasks.map((t) => {
    if (names.has(t.name)) throw new ValidationError(`task "${t.name}" is listed twice`);
    names.add(t.name);
    if (!(t.attempts > 0) || !(t.completions >= 0) || t.completions > t.attempts) {
      throw new ValidationError(`task "${t.name}": completions must be between 0 and attempts (> 0)`);
    }
    const rate = Math.round((t.completions / t.attempts) * 1000) / 1000;
    return { name: t.name, completion_rate: rate, flagged: rate < TASK_COMPLETION_BENCHMARK };
  });
  const grade = susGrade(mean);
  const findings = [
    `Mean SUS ${mean} from ${scores.length} participant(s): grade ${grade}, ${mean > SUS_BENCHMARK ? 'above' : 'at or below'} the ${SUS_BENCHMARK} average.`,
    ...taskResults.filter((t) => t.flagged).map((t) => `Task "${t.name}" completes ${Math.round(t.completion_rate * 100)} % of the time, below the 78 % average: redesign its flow.`),
  ];
  if (scores.length < 5) findings.push(`Only ${scores.length} participant(s): treat the score as indicative (5 or more recommended).`);
  return { participants: scores.length, sus_score: mean, sus_scores: scores, grade, above_benchmark: mean > SUS_BENCHMARK, tasks: taskResults, findings };
}
