import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { proposeDecision } from '../decisions/decisions.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';
import { openIncidents, type Incident } from './incidents.js';
import { iso, uniqueNames } from './records.js';

/** The record kind of change windows. */
export const CHANGE_WINDOW = 'CHANGEWINDOW';

export type ChangeRisk = 'low' | 'medium' | 'high';

/** The longest window approved per risk level, in hours: the riskier the change, the shorter the exposure. */
export const MAX_WINDOW_HOURS: Readonly<Record<ChangeRisk, number>> = { low: 8, medium: 4, high: 2 };

/** Open incidents of at most this severity block change windows (1 and 2). */
export const BLOCKING_SEVERITY = 2;

export interface WindowAssessment {
  readonly duration_hours: number;
  readonly max_duration_hours: number;
  /** Why the window cannot be approved; empty when it can. */
  readonly blockers: string[];
}

/**
 * The rules of a change window, pure:
 * - its duration (end − start, hours) must not exceed `MAX_WINDOW_HOURS[risk]`
 *   (low 8 h, medium 4 h, high 2 h);
 * - it must not overlap an open severity-1 or -2 incident. An open incident
 *   occupies [declared_at, ∞), so it overlaps every window that ends after
 *   its declaration.
 */
export function assessChangeWindow(window: { start: number; end: number; risk: ChangeRisk }, open: readonly Incident[]): WindowAssessment {
  const durationHours = Math.round(((window.end - window.start) / 3_600_000) * 100) / 100;
  const max = MAX_WINDOW_HOURS[window.risk];
  const blockers: string[] = [];
  if (durationHours > max) blockers.push(`the window lasts ${durationHours} h; a ${window.risk}-risk change may last at most ${max} h`);
  for (const incident of open) {
    if (incident.severity <= BLOCKING_SEVERITY && Date.parse(incident.declared_at) < window.end) {
      blockers.push(`it overlaps open severity-${incident.severity} incident ${incident.incident_id} "${incident.title}" (open since ${incident.declared_at})`);
    }
  }
  return { duration_hours: durationHours, max_duration_hours: max, blockers };
}

export interface ChangeWindowInput {
  readonly tenantId: string;
  readonly requestedBy: RoleId;
  readonly start: string;
  readonly end: string;
  readonly services: readonly string[];
  readonly risk: ChangeRisk;
  /** What the change costs (USD), checked against the requester's authority. */
  readonly amount?: number;
}

export interface ChangeWindowResult {
  readonly window_id: string;
  readonly approved: boolean;
  /** `rejected` by the rules, `approved`, or `escalated` because the amount exceeds the requester's authority. */
  readonly status: 'approved' | 'rejected' | 'escalated';
  readonly start: string;
  readonly end: string;
  readonly services: string[];
  readonly risk: ChangeRisk;
  readonly duration_hours: number;
  readonly max_duration_hours: number;
  readonly reasons: string[];
  readonly decision_id: string | null;
  readonly escalation_id: string | null;
  readonly awaiting: EndpointId | null;
}

/**
 * Decides a change window. Windows breaking a rule (`assessChangeWindow`)
 * are rejected. Otherwise, with an amount, the commitment goes through the
 * one authority check as an autonomous decision: within authority it is
 * approved, above it escalated (never approved, never refused). Every
 * outcome is recorded as a CHANGEWINDOW record.
 */
export async function approveChangeWindow(deps: Deps, ctx: RequestContext, input: ChangeWindowInput): Promise<ChangeWindowResult> {
  const start = Date.parse(input.start);
  const end = Date.parse(input.end);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new ValidationError('start and end must be ISO 8601 date-times');
  if (end <= start) throw new ValidationError('end must be after start');
  const now = deps.clock.now();
  if (end <= now) throw new ValidationError(`the window ended at ${iso(end)}; a change window must end in the future`);
  if (input.amount !== undefined && (!Number.isFinite(input.amount) || input.amount < 0)) throw new ValidationError('amount must be a non-negative number of USD');
  const services = uniqueNames(input.services, 'services');

  // A severity-1 incident anywhere blocks every window; a severity-2 one blocks only windows touching its services.
  const touched = new Set(services.map((s) => s.toLowerCase()));
  const blocking = (await openIncidents(deps, input.tenantId, BLOCKING_SEVERITY)).filter(
    (i) => i.severity === 1 || i.affected_services.length === 0 || i.affected_services.some((s) => touched.has(s.toLowerCase())),
  );
  const assessment = assessChangeWindow({ start, end, risk: input.risk }, blocking);
  const windowId = deps.ids.next();
  let status: ChangeWindowResult['status'];
  let reasons: string[];
  let decision: { decision_id: string; escalation_id: string | null; awaiting: EndpointId | null } | null = null;
  if (assessment.blockers.length > 0) {
    status = 'rejected';
    reasons = assessment.blockers;
  } else if (input.amount !== undefined) {
    const d = await proposeDecision(deps, ctx, {
      tenantId: input.tenantId,
      initiator: input.requestedBy,
      decisionType: 'change_window',
      mode: 'autonomous',
      context: `Change window ${iso(start)} – ${iso(end)} (${input.risk} risk) for ${services.join(', ')}`,
      amount: input.amount,
      commitment: { kind: 'change_window', params: { window_id: windowId } },
    });
    decision = { decision_id: d.decision_id, escalation_id: d.escalations[0]?.escalation_id ?? null, awaiting: d.awaiting };
    status = d.status === 'approved' ? 'approved' : 'escalated';
    reasons =
      status === 'approved'
        ? [`within the rules (${assessment.duration_hours} h of at most ${assessment.max_duration_hours} h, no open severity-1/2 incident)`, d.outcome ?? 'approved']
        : [d.escalations[0]?.reason ?? `awaiting ${d.awaiting ?? 'a ruling'}`];
  } else {
    status = 'approved';
    reasons = [`within the rules (${assessment.duration_hours} h of at most ${assessment.max_duration_hours} h, no open severity-1/2 incident)`];
  }

  const result: ChangeWindowResult = {
    window_id: windowId,
    approved: status === 'approved',
    status,
    start: iso(start),
    end: iso(end),
    services,
    risk: input.risk,
    duration_hours: assessment.duration_hours,
    max_duration_hours: assessment.max_duration_hours,
    reasons,
    decision_id: decision?.decision_id ?? null,
    escalation_id: decision?.escalation_id ?? null,
    awaiting: decision?.awaiting ?? null,
  };
  const at = iso(now);
  await deps.store.put(
    changeWindowCodec.encode({
      tenant_id: input.tenantId,
      ...result,
      amount: input.amount ?? null,
      requested_by: input.requestedBy,
      created_at: at,
      approved_by_decision: null,
      ruled_by_decision: null,
      version: 1,
    }),
    { kind: 'absent' },
  );
  return result;
}

/** A change window as stored; an escalated one is approved or rejected once its decision is ruled (approval-effects). */
export interface ChangeWindowRecord extends ChangeWindowResult {
  readonly tenant_id: string;
  readonly amount: number | null;
  readonly requested_by: RoleId;
  readonly created_at: string;
  /** The decision whose approval approved it. */
  readonly approved_by_decision: string | null;
  /** The decision whose rejection or expiry rejected it. */
  readonly ruled_by_decision: string | null;
  readonly version: number;
}

export const changeWindowCodec: Codec<ChangeWindowRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    window_id: field.reqStr(i, 'window_id'),
    approved: field.bool(i, 'approved'),
    status: field.oneOf<ChangeWindowResult['status']>(i, 'status', 'rejected', ['approved', 'rejected', 'escalated']),
    start: field.str(i, 'start'),
    end: field.str(i, 'end'),
    services: field.strs(i, 'services'),
    risk: field.oneOf<ChangeRisk>(i, 'risk', 'medium', ['low', 'medium', 'high']),
    duration_hours: field.num(i, 'duration_hours'),
    max_duration_hours: field.num(i, 'max_duration_hours'),
    reasons: field.strs(i, 'reasons'),
    decision_id: field.strOrNull(i, 'decision_id'),
    escalation_id: field.strOrNull(i, 'escalation_id'),
    awaiting: field.strOrNull(i, 'awaiting') as EndpointId | null,
    amount: field.numOrNull(i, 'amount'),
    requested_by: field.oneOf<RoleId>(i, 'requested_by', 'operations_head'),
    created_at: field.str(i, 'created_at'),
    approved_by_decision: field.strOrNull(i, 'approved_by_decision'),
    ruled_by_decision: field.strOrNull(i, 'ruled_by_decision'),
    version: field.num(i, 'version', 1),
  }),
  encode: (w) => {
    const { approved_by_decision, ruled_by_decision, ...rest } = w;
    return {
      ...keys.record(w.tenant_id, CHANGE_WINDOW, w.window_id),
      gsi1pk: keys.recordIndex(w.tenant_id, CHANGE_WINDOW),
      gsi1sk: `${w.created_at}#${w.window_id}`,
      type: 'change_window',
      ...rest,
      ...(approved_by_decision !== null ? { approved_by_decision } : {}),
      ...(ruled_by_decision !== null ? { ruled_by_decision } : {}),
    };
  },
};
