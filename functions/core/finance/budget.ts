import type { RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { getDecision, proposeDecision } from '../decisions/decisions.js';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { checkAuthority, loadChart } from '../org/authority.js';
import { updateRecord } from '../versioned.js';
import { ALLOCATION, BUDGET_REQUEST, allocationCodec, budgetCodec, budgetRequestCodec, budgetView, type BudgetRecord, type BudgetRequest, type BudgetView } from './budget-record.js';
import { formatUsd, fromCents, normalizeDepartment, resolvePeriod, toCents } from './money.js';

/**
 * Department budgets per period (docs/data-model.md "budget").
 *
 * One item per department and period holds, in integer cents, the `ceiling`,
 * the `allocated` total and `overage = allocated − ceiling`. Allocations are
 * one atomic `increment` of `allocated` and `overage` guarded by the ceiling
 * `overage ≤ 0`, so concurrent allocations can never exceed the ceiling, even
 * while the ceiling itself changes. Every increment also bumps `version`,
 * which is what a ceiling change is conditioned on.
 *
 * Authority: a ceiling or a single allocation above the setter's authority
 * (loadChart/checkAuthority) is not applied but escalated as a decision
 * carrying the change as its commitment; once that decision is approved,
 * Conclave applies it once (the approval-effects consumer calls the same use
 * case with the `decision_id`; a second application is refused by the
 * ledger). Calling again with the approved `decision_id` still works and is
 * just as idempotent.
 */

export type { BudgetView } from './budget-record.js';

const WRITE_ATTEMPTS = 5;

/** One department's budget for a period, or null when no ceiling was ever set. */
export async function getBudget(deps: Deps, tenantId: string, input: { department: string; period?: string }): Promise<BudgetView | null> {
  const period = resolvePeriod(input.period, deps.clock.now());
  const item = await deps.store.get(keys.budget(tenantId, period, normalizeDepartment(input.department)));
  return item ? budgetView(budgetCodec.decode(item)) : null;
}

/** Every department's budget for a period (default: the current quarter), by department. */
export async function listBudgets(deps: Deps, tenantId: string, input: { period?: string }): Promise<{ period: string; budgets: BudgetView[] }> {
  const period = resolvePeriod(input.period, deps.clock.now());
  const budgets: BudgetView[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.budgetPeriod(tenantId, period), limit: 100, ...(cursor ? { cursor } : {}) });
    budgets.push(...page.items.map((i) => budgetView(budgetCodec.decode(i))));
    cursor = page.cursor;
  } while (cursor);
  return { period, budgets };
}

export interface SetBudgetInput {
  readonly tenantId: string;
  readonly setter: RoleId;
  readonly department: string;
  readonly period?: string;
  /** USD. */
  readonly ceiling: number;
  /** An approved escalation of exactly this ceiling, when it is above the setter's authority. */
  readonly decisionId?: string;
}

export interface SetBudgetResult {
  readonly status: 'set' | 'escalated';
  readonly department: string;
  readonly period: string;
  readonly requested_ceiling: number;
  /** The budget as it stands after the call (unchanged when escalated; null if none exists yet). */
  readonly budget: BudgetView | null;
  readonly decision_id: string | null;
  readonly escalation_id: string | null;
  readonly rationale: string;
}

/**
 * Sets (creates or changes) a department's ceiling for a period. A ceiling
 * above the setter's authority is escalated (a `budget_ceiling` decision) and
 * applied only when called again with that decision approved. A ceiling below
 * what is already allocated is refused: allocations are never undone silently.
 */
export async function setBudget(deps: Deps, ctx: RequestContext, input: SetBudgetInput): Promise<SetBudgetResult> {
  const department = normalizeDepartment(input.department);
  const period = resolvePeriod(input.period, deps.clock.now());
  const ceilingCents = toCents(input.ceiling, 'ceiling');
  const key = keys.budget(input.tenantId, period, department);
  const stored = await deps.store.get(key);
  const existing = stored && budgetCodec.decode(stored);
  refuseBelowAllocated(existing, ceilingCents, department, period);

  const check = checkAuthority(await loadChart(deps, input.tenantId), input.setter, input.ceiling);
  const base = { department, period, requested_ceiling: fromCents(ceilingCents) };
  if (!check.within && input.decisionId === undefined) {
    const context = `Set the ${department} budget ceiling for ${period} to ${formatUsd(input.ceiling)} USD.`;
    const escalated = await escalate(deps, ctx, input.tenantId, input.setter, 'budget_ceiling', context, input.ceiling, {
      action: 'set_ceiling',
      department,
      period,
      amount_cents: ceilingCents,
    });
    return {
      ...base,
      status: 'escalated',
      budget: existing ? budgetView(existing) : null,
      ...escalated,
      rationale: `${check.reason}; Conclave sets it when decision ${escalated.decision_id} is approved, and tells you`,
    };
  }
  if (check.within && input.decisionId !== undefined) {
    throw new ValidationError(`a ceiling of ${formatUsd(input.ceiling)} USD is within your authority: omit decision_id`);
  }
  if (input.decisionId !== undefined) await requireApproved(deps, input.tenantId, input.decisionId, { action: 'set_ceiling', department, period, amount_cents: ceilingCents });

  const now = new Date(deps.clock.now()).toISOString();
  const created: BudgetRecord = {
    tenant_id: input.tenantId,
    department,
    period,
    ceiling_cents: ceilingCents,
    allocated_cents: 0,
    overage_cents: 0,
    allocation_count: 0,
    ceiling_set_by: input.setter,
    ceiling_decision_id: null,
    created_at: now,
    updated_at: now,
    version: 0,
  };
  // An allocation or another change landing first makes the write lose its race: re-read, re-check, retry (bounded).
  const updated = await updateRecord(
    deps.store,
    key,
    budgetCodec,
    (current) => {
      refuseBelowAllocated(current, ceilingCents, department, period);
      return {
        ...current,
        ceiling_cents: ceilingCents,
        overage_cents: current.allocated_cents - ceilingCents,
        ceiling_set_by: input.setter,
        ceiling_decision_id: input.decisionId ?? null,
        updated_at: now,
      };
    },
    { attempts: WRITE_ATTEMPTS, what: `the ${department} budget for ${period}`, create: () => created },
  );
  if (!updated) throw new ConflictError(`the ${department} budget for ${period} is changing concurrently; try again`);
  return {
    ...base,
    status: 'set',
    budget: budgetView(updated.record),
    decision_id: input.decisionId ?? null,
    escalation_id: null,
    rationale: input.decisionId
      ? `ceiling set as approved by decision ${input.decisionId}`
      : `ceiling of ${formatUsd(input.ceiling)} USD is within the ${input.setter} authority of ${formatUsd(check.limit)} USD`,
  };
}

export interface AllocateInput {
  readonly tenantId: string;
  readonly allocator: RoleId;
  readonly department: string;
  readonly period?: string;
  /** USD, > 0. */
  readonly amount: number;
  readonly justification: string;
  /** An approved escalation of exactly this allocation, when it is above the allocator's authority. */
  readonly decisionId?: string;
}

export interface AllocationResult {
  readonly allocated: boolean;
  readonly status: 'allocated' | 'escalated';
  /** The allocation's id; for an escalated allocation, the id of its decision (pass it back as decision_id). */
  readonly tracking_id: string;
  readonly department: string;
  readonly period: string;
  readonly amount: number;
  readonly ceiling: number;
  readonly allocated_total: number;
  readonly remaining: number;
  readonly decision_id: string | null;
  readonly escalation_id: string | null;
  readonly rationale: string;
}

/**
 * Allocates part of a department's budget for a period. Never over-allocates:
 * the allocation is one atomic addition guarded by the ceiling, so of any set
 * of concurrent allocations exactly those that fit succeed. A refused
 * allocation names what remains and changes nothing. A single allocation
 * above the allocator's authority is escalated (a `budget_allocation`
 * decision) and allocated only when called again with that decision approved.
 */
export async function allocateBudget(deps: Deps, ctx: RequestContext, input: AllocateInput): Promise<AllocationResult> {
  const department = normalizeDepartment(input.department);
  const period = resolvePeriod(input.period, deps.clock.now());
  const amountCents = toCents(input.amount);
  if (amountCents === 0) throw new ValidationError('amount must be greater than zero');
  if (input.justification.trim() === '') throw new ValidationError('justification must not be empty');
  if (input.decisionId !== undefined && (await deps.store.get(allocationKey(input.tenantId, input.decisionId)))) {
    throw alreadyAllocated(input.decisionId);
  }
  const key = keys.budget(input.tenantId, period, department);
  const stored = await deps.store.get(key);
  if (!stored) throw new NotFoundError(`no budget is set for ${department} in ${period}: set its ceiling with set_budget first`);
  const current = budgetCodec.decode(stored);
  if (amountCents > current.ceiling_cents - current.allocated_cents) throw overAllocation(current, amountCents);

  const check = checkAuthority(await loadChart(deps, input.tenantId), input.allocator, input.amount);
  if (!check.within && input.decisionId === undefined) {
    const context = `Allocate ${formatUsd(input.amount)} USD to ${department} for ${period}.\n\nJustification: ${input.justification}`;
    const escalated = await escalate(deps, ctx, input.tenantId, input.allocator, 'budget_allocation', context, input.amount, {
      action: 'allocate',
      department,
      period,
      amount_cents: amountCents,
      justification: input.justification,
    });
    return {
      ...figures(current),
      allocated: false,
      status: 'escalated',
      tracking_id: escalated.decision_id,
      department,
      period,
      amount: fromCents(amountCents),
      ...escalated,
      rationale: `${check.reason}; nothing was allocated yet: Conclave allocates it once when decision ${escalated.decision_id} is approved, and tells you`,
    };
  }
  if (check.within && input.decisionId !== undefined) {
    throw new ValidationError(`an allocation of ${formatUsd(input.amount)} USD is within your authority: omit decision_id`);
  }
  if (input.decisionId !== undefined) await requireApproved(deps, input.tenantId, input.decisionId, { action: 'allocate', department, period, amount_cents: amountCents });

  const trackingId = input.decisionId ?? deps.ids.next();
  const now = new Date(deps.clock.now()).toISOString();
  let updated: BudgetRecord;
  try {
    updated = budgetCodec.decode(await deps.store.increment({
      key,
      add: { allocated_cents: amountCents, overage_cents: amountCents, allocation_count: 1, version: 1 },
      set: { updated_at: now },
      ceilings: { overage_cents: 0 },
    }));
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const latest = await deps.store.get(key);
    throw overAllocation(latest ? budgetCodec.decode(latest) : current, amountCents);
  }
  try {
    await deps.store.put(
      allocationCodec.encode({
        tenant_id: input.tenantId,
        tracking_id: trackingId,
        department,
        period,
        amount_cents: amountCents,
        justification: input.justification,
        allocated_by: input.allocator,
        decision_id: input.decisionId ?? null,
        allocated_at: now,
      }),
      { kind: 'absent' },
    );
  } catch (error) {
    // Keep the ledger and the total in step: take the addition back.
    await deps.store.increment({ key, add: { allocated_cents: -amountCents, overage_cents: -amountCents, allocation_count: -1, version: 1 }, set: { updated_at: now } });
    if (error instanceof PreconditionFailedError) throw alreadyAllocated(trackingId);
    throw error;
  }
  return {
    ...figures(updated),
    allocated: true,
    status: 'allocated',
    tracking_id: trackingId,
    department,
    period,
    amount: fromCents(amountCents),
    decision_id: input.decisionId ?? null,
    escalation_id: null,
    rationale: input.decisionId
      ? `allocated as approved by decision ${input.decisionId}`
      : `within the ${input.allocator} authority of ${formatUsd(check.limit)} USD and the ${department} ceiling for ${period}`,
  };
}

function allocationKey(tenantId: string, trackingId: string) {
  return keys.record(tenantId, ALLOCATION, trackingId);
}

function figures(budget: BudgetRecord): { ceiling: number; allocated_total: number; remaining: number } {
  const view = budgetView(budget);
  return { ceiling: view.ceiling, allocated_total: view.allocated_total, remaining: view.remaining };
}

function alreadyAllocated(decisionId: string): ConflictError {
  return new ConflictError(`decision ${decisionId} was already allocated (tracking id ${decisionId}); an approval is used once`);
}

function overAllocation(budget: BudgetRecord, amountCents: number): ConflictError {
  const view = budgetView(budget);
  return new ConflictError(
    `allocating ${formatUsd(fromCents(amountCents))} USD to ${view.department} for ${view.period} would exceed its ceiling of ` +
      `${formatUsd(view.ceiling)} USD: ${formatUsd(view.remaining)} USD remains (${formatUsd(view.allocated_total)} USD allocated); nothing was allocated`,
  );
}

function refuseBelowAllocated(budget: BudgetRecord | undefined, ceilingCents: number, department: string, period: string): void {
  if (budget && ceilingCents < budget.allocated_cents) {
    throw new ConflictError(
      `${formatUsd(fromCents(budget.allocated_cents))} USD is already allocated to ${department} for ${period}: ` +
        `the ceiling cannot go below it (asked ${formatUsd(fromCents(ceilingCents))} USD)`,
    );
  }
}

async function escalate(
  deps: Deps,
  ctx: RequestContext,
  tenantId: string,
  initiator: RoleId,
  decisionType: string,
  context: string,
  amount: number,
  request: BudgetRequest,
): Promise<{ decision_id: string; escalation_id: string | null }> {
  // Approving it commits to exactly this change: Conclave applies it once approved (approval-effects).
  const commitment = { kind: request.action === 'allocate' ? ('budget_allocation' as const) : ('budget_ceiling' as const), params: { ...request, requested_by: initiator } };
  const decision = await proposeDecision(deps, ctx, { tenantId, initiator, decisionType, mode: 'autonomous', context, amount, commitment });
  await deps.store.put(
    budgetRequestCodec.encode({ tenant_id: tenantId, decision_id: decision.decision_id, requested_by: initiator, requested_at: new Date(deps.clock.now()).toISOString(), ...request }),
    { kind: 'absent' },
  );
  return { decision_id: decision.decision_id, escalation_id: decision.escalations[0]?.escalation_id ?? null };
}

/** The decision must be an approved escalation of exactly this budget change. */
async function requireApproved(deps: Deps, tenantId: string, decisionId: string, expected: BudgetRequest): Promise<void> {
  const stored = await deps.store.get(keys.record(tenantId, BUDGET_REQUEST, decisionId));
  if (!stored) throw new NotFoundError(`decision ${decisionId} is not an escalated budget change`);
  const request = budgetRequestCodec.decode(stored);
  const asked = `${request.action} ${formatUsd(fromCents(request.amount_cents))} USD for ${request.department} in ${request.period}`;
  if (request.action !== expected.action || request.department !== expected.department || request.period !== expected.period || request.amount_cents !== expected.amount_cents) {
    throw new ValidationError(
      `decision ${decisionId} approves "${asked}", not "${expected.action} ${formatUsd(fromCents(expected.amount_cents))} USD for ${expected.department} in ${expected.period}"`,
    );
  }
  const decision = await getDecision(deps, tenantId, decisionId);
  if (decision.status !== 'approved') {
    const waiting = decision.awaiting ? ` awaiting ${decision.awaiting}` : '';
    const message = `decision ${decisionId} (${asked}) is ${decision.status}${waiting}; it can be applied only once approved`;
    throw decision.status === 'rejected' || decision.status === 'expired' ? new ForbiddenError(message) : new ConflictError(message);
  }
}
