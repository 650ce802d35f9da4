import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { getBudget, type BudgetView } from '../finance/budget.js';
import { formatUsd, fromCents, normalizeDepartment, resolvePeriod, toCents } from '../finance/money.js';
import { checkAuthority, loadChart } from '../org/authority.js';

export interface HeadcountInput {
  readonly tenantId: string;
  readonly planner: RoleId;
  readonly department: string;
  readonly period?: string;
  readonly currentHeadcount: number;
  readonly plannedHires: number;
  /** USD charged to the period's budget per hire. */
  readonly budgetPerHire: number;
}

export type HeadcountFlag = 'no_budget' | 'shortfall' | 'above_authority' | 'rapid_growth';

export interface HeadcountPlan {
  readonly department: string;
  readonly period: string;
  readonly current_headcount: number;
  readonly planned_hires: number;
  readonly resulting_headcount: number;
  /** planned_hires / current_headcount (4 decimals), or null for a new team. */
  readonly growth_rate: number | null;
  readonly planned_cost: number;
  /** The department's budget for the period (from set_budget/allocate_budget), or null when none is set. */
  readonly budget: Pick<BudgetView, 'ceiling' | 'allocated_total' | 'remaining'> | null;
  readonly shortfall: number;
  /** How many hires at budget_per_hire the remaining budget covers. */
  readonly affordable_hires: number;
  readonly funded: boolean;
  readonly within_authority: boolean;
  readonly authority_limit: number;
  /** Who must approve the plan's cost when it is above the planner's authority, else null. */
  readonly escalate_to: EndpointId | null;
  readonly flags: HeadcountFlag[];
  readonly recommendations: string[];
}

/** Growth above this share of the current headcount in one period is flagged. */
export const RAPID_GROWTH = 0.5;

/**
 * Plans a department's hiring for a period against its budget (read-only):
 *   planned_cost     = planned_hires × budget_per_hire
 *   remaining        = ceiling − allocated_total of the department's budget (0 when none is set)
 *   shortfall        = max(0, planned_cost − remaining)
 *   affordable_hires = floor(remaining / budget_per_hire)
 *   funded           = a budget exists and shortfall = 0
 * Flags: no_budget, shortfall, above_authority (planned_cost above the
 * planner's authority: approving the hires will escalate), rapid_growth
 * (growth_rate > 0.5).
 */
export async function planHeadcount(deps: Deps, input: HeadcountInput): Promise<HeadcountPlan> {
  const department = normalizeDepartment(input.department);
  const period = resolvePeriod(input.period, deps.clock.now());
  if (!Number.isInteger(input.currentHeadcount) || input.currentHeadcount < 0) throw new ValidationError('current_headcount must be a whole number ≥ 0');
  if (!Number.isInteger(input.plannedHires) || input.plannedHires < 1) throw new ValidationError('planned_hires must be a whole number ≥ 1');
  const perHireCents = toCents(input.budgetPerHire, 'budget_per_hire');
  if (perHireCents === 0) throw new ValidationError('budget_per_hire must be greater than zero');

  const costCents = perHireCents * input.plannedHires;
  const budget = await getBudget(deps, input.tenantId, { department, period });
  const remainingCents = budget ? Math.round(budget.remaining * 100) : 0;
  const shortfallCents = Math.max(0, costCents - remainingCents);
  const affordable = Math.floor(remainingCents / perHireCents);
  const check = checkAuthority(await loadChart(deps, input.tenantId), input.planner, fromCents(costCents));
  const growth = input.currentHeadcount > 0 ? Math.round((input.plannedHires / input.currentHeadcount) * 10_000) / 10_000 : null;

  const flags: HeadcountFlag[] = [];
  const recommendations: string[] = [];
  const cost = formatUsd(fromCents(costCents));
  if (!budget) {
    flags.push('no_budget');
    recommendations.push(`No budget is set for ${department} in ${period}: ask the CEO to set one (set_budget) of at least ${cost} USD before hiring.`);
  } else if (shortfallCents > 0) {
    flags.push('shortfall');
    recommendations.push(
      `The plan costs ${cost} USD but only ${formatUsd(budget.remaining)} USD of the ${department} budget remains: ` +
        `hire ${affordable} instead, or ask the CEO to raise the ceiling by ${formatUsd(fromCents(shortfallCents))} USD.`,
    );
  } else {
    recommendations.push(`Funded: ask the CEO to allocate ${cost} USD to ${department} for ${period} (allocate_budget) and open the requisitions.`);
  }
  if (!check.within) {
    flags.push('above_authority');
    recommendations.push(`${cost} USD is above your authority of ${formatUsd(check.limit)} USD: the hires will need approval by ${check.escalateTo}.`);
  }
  if (growth !== null && growth > RAPID_GROWTH) {
    flags.push('rapid_growth');
    recommendations.push(`Growing the team by ${Math.round(growth * 100)} % in one period strains onboarding: stagger the hires and name a mentor for each.`);
  }
  return {
    department,
    period,
    current_headcount: input.currentHeadcount,
    planned_hires: input.plannedHires,
    resulting_headcount: input.currentHeadcount + input.plannedHires,
    growth_rate: growth,
    planned_cost: fromCents(costCents),
    budget: budget ? { ceiling: budget.ceiling, allocated_total: budget.allocated_total, remaining: budget.remaining } : null,
    shortfall: fromCents(shortfallCents),
    affordable_hires: affordable,
    funded: budget !== null && shortfallCents === 0,
    within_authority: check.within,
    authority_limit: check.limit,
    escalate_to: check.within ? null : check.escalateTo,
    flags,
    recommendations,
  };
}
