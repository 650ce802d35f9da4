import { ValidationError } from '../errors.js';

/** A team's people metrics, as reported by the caller. */
export interface TeamMetrics {
  /** Annualized share of people who left, in [0, 1]. */
  readonly attrition_rate: number;
  /** Engagement survey score, 0–100. */
  readonly engagement_score: number;
  /** Open requisitions (unfilled positions). */
  readonly open_positions: number;
  /** People currently in the team (≥ 1). */
  readonly headcount: number;
  /** Average overtime hours per person per week. */
  readonly overtime_hours_per_week: number;
}

export type TeamRiskFactor = 'attrition' | 'engagement' | 'vacancy' | 'overtime' | 'burnout';

export interface TeamRisk {
  readonly factor: TeamRiskFactor;
  /** high: penalty ≥ 60 % of its cap; medium: ≥ 25 %; low: above zero. Burnout is always high. */
  readonly severity: 'low' | 'medium' | 'high';
  readonly penalty: number;
  readonly detail: string;
}

export interface TeamHealth {
  readonly health_score: number;
  /** healthy ≥ 80 > at_risk ≥ 60 > critical. */
  readonly status: 'healthy' | 'at_risk' | 'critical';
  /** open_positions / (headcount + open_positions), rounded to 4 decimals. */
  readonly vacancy_rate: number;
  /** Highest penalty first; a burnout flag comes last. */
  readonly risks: TeamRisk[];
  readonly recommendations: string[];
}

/** Caps per factor; their sum is 100, so a team failing on every factor scores 0. */
export const TEAM_HEALTH_CAPS = { attrition: 30, engagement: 25, vacancy: 20, overtime: 25 } as const;

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Scores a team's health (pure and deterministic):
 *   attrition  = min(30, 150 × max(0, attrition_rate − 0.10))        (10 % a year is normal)
 *   engagement = min(25, 0.5 × max(0, 75 − engagement_score))        (75 is healthy)
 *   vacancy    = min(20, 100 × max(0, vacancy_rate − 0.05))           (vacancy_rate = open / (headcount + open))
 *   overtime   = min(25, 2.5 × max(0, overtime_hours_per_week − 5))  (5 h a week is sustainable)
 *   health_score = round(100 − Σ penalties)
 * Burnout (overtime > 10 h and engagement < 60) is flagged as a high risk without extra penalty.
 */
export function assessTeamHealth(metrics: TeamMetrics): TeamHealth {
  const m = metrics;
  if (!(m.attrition_rate >= 0 && m.attrition_rate <= 1)) throw new ValidationError('attrition_rate must be a share in [0, 1] (e.g. 0.12 for 12 % a year)');
  if (!(m.engagement_score >= 0 && m.engagement_score <= 100)) throw new ValidationError('engagement_score must be in [0, 100]');
  if (!Number.isInteger(m.headcount) || m.headcount < 1) throw new ValidationError('headcount must be a whole number of at least 1');
  if (!Number.isInteger(m.open_positions) || m.open_positions < 0) throw new ValidationError('open_positions must be a whole number ≥ 0');
  if (!(m.overtime_hours_per_week >= 0 && m.overtime_hours_per_week <= 80)) throw new ValidationError('overtime_hours_per_week must be in [0, 80]');

  const vacancyRate = m.open_positions / (m.headcount + m.open_positions);
  const penalties = {
    attrition: round1(Math.min(TEAM_HEALTH_CAPS.attrition, 150 * Math.max(0, m.attrition_rate - 0.1))),
    engagement: round1(Math.min(TEAM_HEALTH_CAPS.engagement, 0.5 * Math.max(0, 75 - m.engagement_score))),
    vacancy: round1(Math.min(TEAM_HEALTH_CAPS.vacancy, 100 * Math.max(0, vacancyRate - 0.05))),
    overtime: round1(Math.min(TEAM_HEALTH_CAPS.overtime, 2.5 * Math.max(0, m.overtime_hours_per_week - 5))),
  };
  const severity = (factor: keyof typeof TEAM_HEALTH_CAPS): TeamRisk['severity'] => {
    const share = penalties[factor] / TEAM_HEALTH_CAPS[factor];
    return share >= 0.6 ? 'high' : share >= 0.25 ? 'medium' : 'low';
  };
  const pct = (n: number) => `${round1(n * 100)} %`;
  const details: Record<keyof typeof TEAM_HEALTH_CAPS, [string, string]> = {
    attrition: [`attrition of ${pct(m.attrition_rate)} a year (normal ≤ 10 %)`, 'Run stay interviews and review compensation against the market for the roles that are leaving.'],
    engagement: [`engagement score ${m.engagement_score} (healthy ≥ 75)`, 'Follow up on the engagement survey with the team lead: agree on two concrete changes and re-survey next quarter.'],
    vacancy: [`${m.open_positions} open of ${m.headcount + m.open_positions} positions (${pct(vacancyRate)} vacant)`, 'Prioritize the open requisitions and consider contractors to cover critical gaps.'],
    overtime: [`${m.overtime_hours_per_week} h overtime per person per week (sustainable ≤ 5 h)`, 'Cut scope or re-plan deadlines with the product manager to bring overtime down.'],
  };
  const risks: TeamRisk[] = (Object.keys(penalties) as (keyof typeof TEAM_HEALTH_CAPS)[])
    .filter((f) => penalties[f] > 0)
    .map((f) => ({ factor: f, severity: severity(f), penalty: penalties[f], detail: details[f][0] }))
    .sort((a, b) => b.penalty - a.penalty);
  const recommendations = risks.map((r) => details[r.factor as keyof typeof TEAM_HEALTH_CAPS][1]);
  if (m.overtime_hours_per_week > 10 && m.engagement_score < 60) {
    risks.push({ factor: 'burnout', severity: 'high', penalty: 0, detail: 'sustained overtime with low engagement: burnout risk' });
    recommendations.unshift('Burnout risk: reduce load now (freeze new commitments for the team) before people leave.');
  }
  if (risks.length === 0) recommendations.push('The team is healthy on every measured factor: keep the current practices.');
  const total = penalties.attrition + penalties.engagement + penalties.vacancy + penalties.overtime;
  const score = Math.max(0, Math.round(100 - total));
  return {
    health_score: score,
    status: score >= 80 ? 'healthy' : score >= 60 ? 'at_risk' : 'critical',
    vacancy_rate: Math.round(vacancyRate * 10_000) / 10_000,
    risks,
    recommendations,
  };
}
