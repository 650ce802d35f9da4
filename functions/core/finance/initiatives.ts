import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { proposeDecision } from '../decisions/decisions.js';
import { ValidationError } from '../errors.js';
import { checkAuthority, loadChart } from '../org/authority.js';
import { formatUsd, toCents } from './money.js';

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
 * decision for its budget. Within the approver's authority (the CEO's is
 * 1,000,000 USD unless the tenant overrides it) it is approved and recorded
 * at once; above it, it is escalated — to the board for the CEO — and not
 * approved. Exactly the limit is within authority.
 */
export async function approveStrategicInitiative(deps: Deps, ctx: RequestContext, input: InitiativeInput): Promise<InitiativeResult> {
  toCents(input.budget, 'budget');
  if (input.initiative.trim() === '' || input.businessValue.trim() === '') throw new ValidationError('initiative and business_value must not be empty');
  const check = checkAuthority(await loadChart(deps, input.tenantId), input.approver, input.budget);
  const decision = await proposeDecision(deps, ctx, {
    tenantId: input.tenantId,
    initiator: input.approver,
    decisionType: 'strategic_initiative',
    mode: 'autonomous',
    context: `Strategic initiative: ${input.initiative}\n\nBusiness value: ${input.businessValue}\n\nBudget: ${formatUsd(input.budget)} USD`,
    amount: input.budget,
  });
  const approved = decision.status === 'approved';
  const escalation = decision.escalations[0];
  return {
    approved,
    decision_id: decision.decision_id,
    status: approved ? 'approved' : 'escalated',
    rationale: approved
      ? `approved by ${input.approver}: a budget of ${formatUsd(input.budget)} USD is within its authority of ${formatUsd(check.limit)} USD`
      : `not approved: ${escalation?.reason ?? 'above authority'}; the decision awaits ${decision.awaiting ?? 'a ruling'}`,
    budget: input.budget,
    authority_limit: check.limit,
    escalation_id: escalation?.escalation_id ?? null,
    awaiting: decision.awaiting,
  };
}
