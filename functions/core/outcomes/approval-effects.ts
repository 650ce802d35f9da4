import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { escalationCodec, loadDecisionRecord, type DecisionRecord } from '../decisions/decision-record.js';
import { CLOSED, type CommitmentKind } from '../decisions/model.js';
import { applyDeploymentRuling } from '../engineering/deployment.js';
import { ConclaveError, NotFoundError } from '../errors.js';
import { drawOnBudget } from '../finance/allocations.js';
import { allocateBudget, setBudget } from '../finance/budget.js';
import { recordInitiativeRuling } from '../finance/initiatives.js';
import { formatUsd, fromCents } from '../finance/money.js';
import { keys } from '../keys.js';
import { CHANGE_WINDOW, changeWindowCodec } from '../operations/change-windows.js';
import { updateRecord } from '../versioned.js';
import { reportOutcome } from './report-outcome.js';

/**
 * Approvals take effect by themselves, exactly once. When a decision closes
 * (Decision.Completed.v1, possibly delivered more than once), an approved
 * decision's commitment is applied by the same use case the tool runs, keyed
 * on the decision id — the budget ledger, the change-window record and the
 * hire's allocation each refuse a second application, so a redelivered
 * approval applies nothing twice — and the initiator is told how it ended
 * (reportOutcome: one message, one OUTCOME record linking what was applied,
 * one Outcome.Reported.v1). A rejection or expiry is recorded the same way,
 * applying nothing; a commitment that keeps a record of its own (a change
 * window, a strategic initiative, a deployment) is marked rejected or
 * expired on it, once.
 */
export async function applyDecisionOutcome(deps: Deps, ctx: RequestContext, tenantId: string, decisionId: string): Promise<{ applied: string | null; reported: boolean }> {
  let decision: DecisionRecord;
  try {
    decision = await loadDecisionRecord(deps, tenantId, decisionId);
  } catch (error) {
    if (error instanceof NotFoundError) return { applied: null, reported: false };
    throw error;
  }
  if (!CLOSED.includes(decision.status)) return { applied: null, reported: false };
  // Approved at once within the initiator's own authority: nobody else decided, there is nothing to tell.
  const selfApproved = decision.status === 'approved' && decision.ruled_by === null && decision.mode === 'autonomous';
  let applied: string | null = null;
  if (decision.status === 'approved' && decision.commitment) {
    try {
      applied = await APPLY[decision.commitment.kind](deps, ctx, decision, decision.commitment.params as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof ConclaveError)) throw error;
      applied = `not applied: ${error.message}`;
    }
  } else if (decision.commitment) {
    await RECORD_REFUSAL[decision.commitment.kind]?.(deps, decision, decision.commitment.params as Record<string, unknown>);
  }
  if (selfApproved) return { applied, reported: false };
  const report = {
    tenantId,
    correlationId: ctx.correlationId,
    subject: 'decision' as const,
    subjectId: decisionId,
    kind: decision.decision_type,
    initiator: decision.initiator as EndpointId,
    status: decision.status as 'approved' | 'rejected' | 'expired',
    decidedBy: decision.ruled_by,
    reason: decision.outcome ?? decision.status,
    applied,
    endedAt: decision.completed_at ?? new Date(deps.clock.now()).toISOString(),
    seeMore: `See get_decision { decision_id: "${decisionId}" }.`,
  };
  const reported = await reportOutcome(deps, report);
  // Whoever escalated someone else's request to the board initiated that escalation: it hears the outcome too, once.
  for (const by of await escalators(deps, tenantId, decisionId, decision.initiator)) await reportOutcome(deps, { ...report, initiator: by, audience: 'escalator' });
  return { applied, reported };
}

/** The roles other than the initiator that escalated the decision with escalate_to_board (hops that carry an urgency). */
async function escalators(deps: Deps, tenantId: string, decisionId: string, initiator: EndpointId): Promise<EndpointId[]> {
  const hops = await deps.store.query({ pk: keys.decision(tenantId, decisionId), skPrefix: 'ESCALATION#', limit: 50 });
  const from = hops.items
    .map((h) => escalationCodec(tenantId, decisionId).decode(h))
    .filter((h) => h.urgency !== null)
    .map((h) => h.from);
  return [...new Set(from)].filter((r) => r !== initiator);
}

type Apply = (deps: Deps, ctx: RequestContext, decision: DecisionRecord, params: Record<string, unknown>) => Promise<string | null>;

/** A commitment's parameters, as the proposing use case wrote them: text and integer cents (anything else reads as empty / NaN, which the applying use case refuses). */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const cents = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

const APPLY: Readonly<Record<CommitmentKind, Apply>> = {
  budget_allocation: async (deps, ctx, d, p) => {
    try {
      const r = await allocateBudget(deps, ctx, {
        tenantId: d.tenant_id,
        allocator: (p.requested_by as RoleId | undefined) ?? d.initiator,
        department: str(p.department),
        period: str(p.period),
        amount: fromCents(cents(p.amount_cents)),
        justification: str(p.justification) || d.context.slice(0, 500),
        decisionId: d.decision_id,
      });
      return `allocated ${formatUsd(r.amount)} USD to ${r.department} for ${r.period} (allocation ${r.tracking_id}; ${formatUsd(r.remaining)} USD left)`;
    } catch (error) {
      // The ledger refuses a second allocation of one decision: it was applied before (a redelivery).
      if (error instanceof ConclaveError && /already allocated/.test(error.message)) return `allocated once (allocation ${d.decision_id})`;
      throw error;
    }
  },
  budget_ceiling: async (deps, ctx, d, p) => {
    const r = await setBudget(deps, ctx, {
      tenantId: d.tenant_id,
      setter: (p.requested_by as RoleId | undefined) ?? d.initiator,
      department: str(p.department),
      period: str(p.period),
      ceiling: fromCents(cents(p.amount_cents)),
      decisionId: d.decision_id,
    });
    return `set the ${r.department} ceiling for ${r.period} to ${formatUsd(r.requested_ceiling)} USD`;
  },
  change_window: async (deps, _ctx, d, p) => {
    const key = keys.record(d.tenant_id, CHANGE_WINDOW, str(p.window_id));
    const updated = await updateRecord(deps.store, key, changeWindowCodec, (w) =>
      w.status === 'approved' ? undefined : { ...w, status: 'approved' as const, approved: true, approved_by_decision: d.decision_id, awaiting: null },
    );
    if (!updated) return `not applied: change window ${str(p.window_id)} is not recorded`;
    return `change window ${str(p.window_id)} approved`;
  },
  hire: async (deps, _ctx, d, p) => {
    const draw = await drawOnBudget(deps, {
      tenantId: d.tenant_id,
      department: str(p.department),
      period: str(p.period),
      amountCents: cents(p.amount_cents),
      trackingId: d.decision_id,
      by: d.ruled_by ?? d.initiator,
      justification: `hire: ${str(p.role_title)}`,
    });
    return draw.drawn ? `hire ${str(p.hire_id)} drawn on the ${str(p.department)} budget for ${str(p.period)} (${formatUsd(draw.remaining)} USD left)` : `hire ${str(p.hire_id)} approved; ${draw.reason}`;
  },
  strategic_initiative: async (deps, _ctx, d, p) => recordInitiativeRuling(deps, d, str(p.initiative_id)),
  deployment: async (deps, _ctx, d, p) => applyDeploymentRuling(deps, d, str(p.deployment_id)),
};

type RecordRefusal = (deps: Deps, decision: DecisionRecord, params: Record<string, unknown>) => Promise<unknown>;

/** Commitments with a record of their own: a rejection or expiry is recorded on it (once; a redelivery changes nothing). */
const RECORD_REFUSAL: Readonly<Partial<Record<CommitmentKind, RecordRefusal>>> = {
  change_window: (deps, d, p) =>
    updateRecord(deps.store, keys.record(d.tenant_id, CHANGE_WINDOW, str(p.window_id)), changeWindowCodec, (w) =>
      w.status !== 'escalated' ? undefined : { ...w, status: 'rejected' as const, approved: false, awaiting: null, reasons: [...w.reasons, `${d.status} by ${d.ruled_by ?? 'nobody'}: ${d.outcome ?? d.status}`], ruled_by_decision: d.decision_id },
    ),
  strategic_initiative: (deps, d, p) => recordInitiativeRuling(deps, d, str(p.initiative_id)),
  deployment: (deps, d, p) => applyDeploymentRuling(deps, d, str(p.deployment_id)),
};
