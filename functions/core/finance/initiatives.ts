import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { proposeDecision } from '../decisions/decisions.js';
import type { DecisionRecord } from '../decisions/decision-record.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { checkAuthority, loadChart } from '../org/authority.js';
import { field, updateRecord, type Codec } from '../versioned.js';
import { formatUsd, fromCents, toCents } from './money.js';

/** The record kind of strategic initiatives. */
export const INITIATIVE = 'INITIATIVE';

/** `proposed` only between its record and its decision being written; `escalated` waits for a ruling. */
export type InitiativeStatus = 'proposed' | 'approved' | 'escalated' | 'rejected' | 'expired';

/** A strategic initiative as stored: what was asked, and how its decision ended. */
export interface InitiativeRecord {
  readonly tenant_id: string;
  readonly initiative_id: string;
  readonly initiative: string;
  readonly business_value: string;
  readonly budget_cents: number;
  readonly requested_by: RoleId;
  readonly decision_id: string | null;
  readonly status: InitiativeStatus;
  /** Who ruled on it (the approver itself within its authority), once decided. */
  readonly decided_by: EndpointId | null;
  readonly decided_at: string | null;
  readonly created_at: string;
  readonly version: number;
}

export const initiativeCodec: Codec<InitiativeRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    initiative_id: field.str(i, 'initiative_id'),
    initiative: field.str(i, 'initiative'),
    business_value: field.str(i, 'business_value'),
    budget_cents: field.num(i, 'budget_cents'),
    requested_by: field.oneOf<RoleId>(i, 'requested_by', 'ceo'),
    decision_id: field.strOrNull(i, 'decision_id'),
    status: field.oneOf<InitiativeStatus>(i, 'status', 'proposed'),
    decided_by: field.strOrNull(i, 'decided_by') as EndpointId | null,
    decided_at: field.strOrNull(i, 'decided_at'),
    created_at: field.str(i, 'created_at'),
    version: field.num(i, 'version', 1),
  }),
  encode: (r) => ({
    ...keys.record(r.tenant_id, INITIATIVE, r.initiative_id),
    gsi1pk: keys.recordIndex(r.tenant_id, INITIATIVE),
    gsi1sk: `${r.created_at}#${r.initiative_id}`,
    type: 'initiative',
    ...r,
  }),
};

const DECIDED: readonly InitiativeStatus[] = ['approved', 'rejected', 'expired'];

export interface InitiativeInput {
  readonly tenantId: string;
  readonly approver: RoleId;
  readonly initiative: string;
  readonly businessValue: string;
  /** USD. */
  readonly budget: number;
}

export interface InitiativeResult {
  readonly approved: boolean;
  readonly initiative_id: string;
  readonly decision_id: string;
  readonly status: 'approved' | 'escalated';
  readonly rationale: string;
  readonly budget: number;
  readonly authority_limit: number;
  readonly escalation_id: string | null;
  /** Who must rule next when escalated (the board for the CEO), else null. */
  readonly awaiting: EndpointId | null;
}

/**
 * Approves a strategic initiative: an autonomous `strategic_initiative`
 * decision for its budget, carrying the initiative as its commitment, and an
 * INITIATIVE record. Within the approver's authority (the CEO's is 1,000,000
 * USD unless the tenant overrides it) it is approved and recorded at once;
 * above it, it is escalated — to the board for the CEO — and not approved:
 * once the board approves (or rejects), Conclave records the ruling on the
 * initiative once (approval-effects → recordInitiativeRuling). Exactly the
 * limit is within authority. The record is written before the decision, so
 * a ruling always finds it.
 */
export async function approveStrategicInitiative(deps: Deps, ctx: RequestContext, input: InitiativeInput): Promise<InitiativeResult> {
  const budgetCents = toCents(input.budget, 'budget');
  if (input.initiative.trim() === '' || input.businessValue.trim() === '') throw new ValidationError('initiative and business_value must not be empty');
  const check = checkAuthority(await loadChart(deps, input.tenantId), input.approver, input.budget);
  const initiativeId = deps.ids.next();
  const record: InitiativeRecord = {
    tenant_id: input.tenantId,
    initiative_id: initiativeId,
    initiative: input.initiative,
    business_value: input.businessValue,
    budget_cents: budgetCents,
    requested_by: input.approver,
    decision_id: null,
    status: 'proposed',
    decided_by: null,
    decided_at: null,
    created_at: new Date(deps.clock.now()).toISOString(),
    version: 1,
  };
  await deps.store.put(initiativeCodec.encode(record), { kind: 'absent' });
  const decision = await proposeDecision(deps, ctx, {
    tenantId: input.tenantId,
    initiator: input.approver,
    decisionType: 'strategic_initiative',
    mode: 'autonomous',
    context: `Strategic initiative: ${input.initiative}\n\nBusiness value: ${input.businessValue}\n\nBudget: ${formatUsd(input.budget)} USD`,
    amount: input.budget,
    commitment: { kind: 'strategic_initiative', params: { initiative_id: initiativeId, budget_cents: budgetCents, initiative: input.initiative.slice(0, 200) } },
  });
  const approved = decision.status === 'approved';
  const escalation = decision.escalations[0];
  // A ruling recorded meanwhile (the approval-effects consumer) stands; otherwise the decision's first state.
  await updateRecord(deps.store, keys.record(input.tenantId, INITIATIVE, initiativeId), initiativeCodec, (r) =>
    DECIDED.includes(r.status)
      ? { ...r, decision_id: decision.decision_id }
      : { ...r, decision_id: decision.decision_id, status: approved ? ('approved' as const) : ('escalated' as const), ...(approved ? { decided_by: input.approver, decided_at: decision.completed_at } : {}) },
  );
  return {
    approved,
    initiative_id: initiativeId,
    decision_id: decision.decision_id,
    status: approved ? 'approved' : 'escalated',
    rationale: approved
      ? `approved by ${input.approver}: a budget of ${formatUsd(input.budget)} USD is within its authority of ${formatUsd(check.limit)} USD`
      : `not approved: ${escalation?.reason ?? 'above authority'}; the decision awaits ${decision.awaiting ?? 'a ruling'}, and the initiative is recorded as approved once it is`,
    budget: input.budget,
    authority_limit: check.limit,
    escalation_id: escalation?.escalation_id ?? null,
    awaiting: decision.awaiting,
  };
}

/** One initiative as stored, or undefined. */
export async function getInitiative(deps: Deps, tenantId: string, initiativeId: string): Promise<InitiativeRecord | undefined> {
  const item = await deps.store.get(keys.record(tenantId, INITIATIVE, initiativeId));
  return item && initiativeCodec.decode(item);
}

/**
 * Records how an initiative's decision ended, once: the first ruling moves
 * it to approved, rejected or expired; any later delivery changes nothing.
 * Returns what was recorded (for the outcome's "applied"), or why nothing was.
 */
export async function recordInitiativeRuling(deps: Deps, decision: DecisionRecord, initiativeId: string): Promise<string> {
  const status = decision.status as 'approved' | 'rejected' | 'expired';
  const updated = await updateRecord(deps.store, keys.record(decision.tenant_id, INITIATIVE, initiativeId), initiativeCodec, (r) =>
    DECIDED.includes(r.status) ? undefined : { ...r, status, decision_id: decision.decision_id, decided_by: decision.ruled_by ?? decision.initiator, decided_at: decision.completed_at },
  );
  if (!updated) return `not applied: initiative ${initiativeId} is not recorded`;
  const r = updated.record;
  const what = `initiative ${initiativeId} "${r.initiative.slice(0, 80)}" (${formatUsd(fromCents(r.budget_cents))} USD)`;
  return updated.changed ? `${what} recorded as ${r.status}` : `${what} was already recorded as ${r.status}`;
}
