import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { getDecision, proposeDecision } from '../decisions/decisions.js';
import type { DecisionStatus } from '../decisions/model.js';
import { ValidationError } from '../errors.js';
import { drawOnBudget } from '../finance/allocations.js';
import { getBudget } from '../finance/budget.js';
import { currentQuarter, formatUsd, fromCents, normalizeDepartment, toCents } from '../finance/money.js';
import { keys } from '../keys.js';
import { checkAuthority, loadChart } from '../org/authority.js';
import { HIRE, hireCodec } from './hire-record.js';

export interface HireInput {
  readonly tenantId: string;
  readonly approver: RoleId;
  readonly roleTitle: string;
  readonly department: string;
  /** Fully loaded annual cost in USD: the commitment checked against authority. */
  readonly annualCost: number;
  readonly justification: string;
}

/** A hire as clients see it; `status` is its decision's current status. */
export interface Hire {
  readonly hire_id: string;
  readonly role_title: string;
  readonly department: string;
  readonly annual_cost: number;
  readonly justification: string;
  readonly requested_by: RoleId;
  readonly decision_id: string;
  readonly status: DecisionStatus;
  readonly awaiting: EndpointId | null;
  readonly requested_at: string;
}

export interface HireResult extends Hire {
  readonly approved: boolean;
  readonly rationale: string;
  readonly escalation_id: string | null;
}

/**
 * Approves a hire: an autonomous `hire` decision for its annual cost, and a
 * HIRE record linked to it. Within the approver's authority (the CHRO's is
 * 300,000 USD unless the tenant overrides it) the hire is approved at once;
 * above it, the decision escalates to the first superior whose authority
 * covers it (the CEO up to 1,000,000 USD, then the board) and the hire waits
 * for that ruling. Exactly the limit is within authority.
 */
export async function approveHire(deps: Deps, ctx: RequestContext, input: HireInput): Promise<HireResult> {
  const department = normalizeDepartment(input.department);
  const costCents = toCents(input.annualCost, 'annual_cost');
  if (costCents === 0) throw new ValidationError('annual_cost must be greater than zero');
  if (input.roleTitle.trim() === '' || input.justification.trim() === '') throw new ValidationError('role_title and justification must not be empty');
  const check = checkAuthority(await loadChart(deps, input.tenantId), input.approver, input.annualCost);
  // The hire draws on the department's budget for the current period; one that would over-allocate it goes to the approver's superior.
  const period = currentQuarter(deps.clock.now());
  const budget = await getBudget(deps, input.tenantId, { department, period });
  const overBudget = budget !== null && costCents > toCents(budget.remaining, 'remaining');
  const hireId = deps.ids.next();
  const budgetNote = budget === null ? '' : `\n\nBudget: ${department} ${period} has ${formatUsd(budget.remaining)} of ${formatUsd(budget.ceiling)} USD left${overBudget ? ': this hire would over-allocate it' : ''}.`;
  const decision = await proposeDecision(deps, ctx, {
    tenantId: input.tenantId,
    initiator: input.approver,
    decisionType: 'hire',
    mode: overBudget ? 'hierarchical' : 'autonomous',
    context: `Hire a ${input.roleTitle} for ${department} at ${formatUsd(input.annualCost)} USD a year.\n\nJustification: ${input.justification}${budgetNote}`,
    amount: input.annualCost,
    commitment: { kind: 'hire', params: { hire_id: hireId, department, period, amount_cents: costCents, role_title: input.roleTitle } },
  });
  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.put(
    hireCodec.encode({
      tenant_id: input.tenantId,
      hire_id: hireId,
      role_title: input.roleTitle,
      department,
      annual_cost_cents: costCents,
      justification: input.justification,
      requested_by: input.approver,
      decision_id: decision.decision_id,
      requested_at: now,
    }),
    { kind: 'absent' },
  );
  const approved = decision.status === 'approved';
  const escalation = decision.escalations[0];
  const draw = approved && budget !== null
    ? await drawOnBudget(deps, { tenantId: input.tenantId, department, period, amountCents: costCents, trackingId: decision.decision_id, by: input.approver, justification: `hire: ${input.roleTitle}` })
    : undefined;
  return {
    hire_id: hireId,
    role_title: input.roleTitle,
    department,
    annual_cost: fromCents(costCents),
    justification: input.justification,
    requested_by: input.approver,
    decision_id: decision.decision_id,
    status: decision.status,
    awaiting: decision.awaiting,
    requested_at: now,
    approved,
    rationale: approved
      ? `approved by ${input.approver}: ${formatUsd(input.annualCost)} USD a year is within its authority of ${formatUsd(check.limit)} USD` +
        (draw?.drawn ? `; drawn on the ${department} budget for ${period} (${formatUsd(draw.remaining)} USD left)` : budget === null ? `; no ${department} budget is set for ${period}` : '')
      : overBudget
        ? `not approved yet: ${formatUsd(input.annualCost)} USD would over-allocate the ${department} budget for ${period} (${formatUsd(budget?.remaining ?? 0)} USD left); the hire waits for ${decision.awaiting ?? 'a ruling'}, and is drawn on the budget once approved`
        : `not approved yet: ${escalation?.reason ?? 'above authority'}; the hire waits for ${decision.awaiting ?? 'a ruling'}, and is drawn on the budget once approved`,
    escalation_id: escalation?.escalation_id ?? null,
  };
}

export interface ListHiresInput {
  readonly tenantId: string;
  readonly department?: string;
  readonly status?: DecisionStatus;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * Lists hires newest first with their decision's live status (an escalated
 * hire shows approved once its superior approves it). Filters apply within
 * each page of `limit` hires, so a filtered page may hold fewer.
 */
export async function listHires(deps: Deps, input: ListHiresInput): Promise<{ hires: Hire[]; next_cursor: string | null }> {
  const department = input.department === undefined ? undefined : normalizeDepartment(input.department);
  const page = await deps.store.query({
    index: 'gsi1',
    pk: keys.recordIndex(input.tenantId, HIRE),
    descending: true,
    limit: input.limit,
    ...(input.cursor ? { cursor: input.cursor } : {}),
  });
  const records = page.items.map((i) => hireCodec.decode(i)).filter((h) => department === undefined || h.department === department);
  const hires = await Promise.all(
    records.map(async (h): Promise<Hire> => {
      // The decision is written before its hire, so it always exists.
      const decision = await getDecision(deps, input.tenantId, h.decision_id);
      return {
        hire_id: h.hire_id,
        role_title: h.role_title,
        department: h.department,
        annual_cost: fromCents(h.annual_cost_cents),
        justification: h.justification,
        requested_by: h.requested_by,
        decision_id: h.decision_id,
        status: decision.status,
        awaiting: decision.awaiting,
        requested_at: h.requested_at,
      };
    }),
  );
  return { hires: hires.filter((h) => input.status === undefined || h.status === input.status), next_cursor: page.cursor ?? null };
}
