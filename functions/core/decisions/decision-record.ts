import { buildEvent } from '../../contracts/events.js';
import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { OutboundEvent } from '../../ports/bus.js';
import type { Item } from '../../ports/store.js';
import type { Deps, RequestContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { keys } from '../keys.js';
import { decisionMemory, rememberRecord } from '../memory/remember.js';
import { field, updateRecord, type Codec } from '../versioned.js';
import { CLOSED, type Commitment, type Decision, type DecisionMode, type DecisionStatus, type Escalation, type Vote, type VoteChoice } from './model.js';

/**
 * The decision record and its collection (votes, escalation hops), with the
 * one way a decision changes: `transition` (a versioned update) writes the
 * change, its escalation record, and publishes its event.
 */

export interface DecisionRecord {
  readonly tenant_id: string;
  readonly decision_id: string;
  readonly decision_type: string;
  readonly initiator: RoleId;
  readonly participants: EndpointId[];
  readonly mode: DecisionMode;
  readonly context: string;
  readonly amount: number | null;
  readonly threshold: number;
  readonly quorum: number;
  readonly consensus_score: number | null;
  readonly outcome: string | null;
  readonly status: DecisionStatus;
  readonly awaiting: EndpointId | null;
  readonly created_at: string;
  readonly completed_at: string | null;
  readonly deadline: string | null;
  readonly counted_voters: EndpointId[];
  /** What approving the decision commits the organization to; applied once when it is approved (approval-effects). */
  readonly commitment: Commitment | null;
  /** Who ruled last (approve or reject), when a role ruled. */
  readonly ruled_by: EndpointId | null;
  readonly version: number;
}

export const decisionCodec: Codec<DecisionRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    decision_id: field.str(i, 'decision_id'),
    decision_type: field.str(i, 'decision_type'),
    initiator: field.oneOf<RoleId>(i, 'initiator', 'ceo'),
    participants: field.list<EndpointId>(i, 'participants'),
    mode: field.oneOf<DecisionMode>(i, 'mode', 'autonomous'),
    context: field.str(i, 'context'),
    amount: field.numOrNull(i, 'amount'),
    threshold: field.num(i, 'threshold', 0.6),
    quorum: field.num(i, 'quorum', 0.5),
    consensus_score: field.numOrNull(i, 'consensus_score'),
    outcome: field.strOrNull(i, 'outcome'),
    status: field.oneOf<DecisionStatus>(i, 'status', 'pending'),
    awaiting: field.strOrNull(i, 'awaiting') as EndpointId | null,
    created_at: field.str(i, 'created_at'),
    completed_at: field.strOrNull(i, 'completed_at'),
    deadline: field.strOrNull(i, 'deadline'),
    counted_voters: field.list<EndpointId>(i, 'counted_voters'),
    commitment: field.objOrNull(i, 'commitment') as Commitment | null,
    ruled_by: field.strOrNull(i, 'ruled_by') as EndpointId | null,
    version: field.num(i, 'version', 1),
  }),
  encode: (d) => ({
    ...keys.decisionItem(d.tenant_id, d.decision_id),
    gsi1pk: keys.decisions(d.tenant_id),
    gsi1sk: `${d.created_at}#${d.decision_id}`,
    type: 'decision',
    ...d,
  }),
};

/** A vote as stored under its decision (one per voter: written once). */
export function voteCodec(tenantId: string, decisionId: string): Codec<Vote> {
  return {
    decode: (i) => ({
      voter: field.oneOf<EndpointId>(i, 'voter', 'board'),
      vote: field.oneOf<VoteChoice>(i, 'vote', 'abstain', ['approve', 'reject', 'abstain']),
      confidence: field.num(i, 'confidence'),
      rationale: field.str(i, 'rationale'),
      cast_at: field.str(i, 'cast_at'),
    }),
    encode: (v) => ({ ...keys.vote(tenantId, decisionId, v.voter), type: 'vote', ...v }),
  };
}

/** One escalation hop as stored; a hop raised with escalate_to_board carries its urgency (and came with its own message). */
export interface EscalationRecord extends Escalation {
  readonly urgency: string | null;
}

export function escalationCodec(tenantId: string, decisionId: string): Codec<EscalationRecord> {
  return {
    decode: (i) => ({
      escalation_id: field.str(i, 'escalation_id'),
      from: field.oneOf<EndpointId>(i, 'from', 'board'),
      to: field.oneOf<EndpointId>(i, 'to', 'board'),
      reason: field.str(i, 'reason'),
      at: field.str(i, 'at'),
      urgency: field.strOrNull(i, 'urgency'),
    }),
    encode: (e) => {
      const { urgency, ...hop } = e;
      return { ...keys.escalation(tenantId, decisionId, e.escalation_id), type: 'escalation', ...hop, ...(urgency !== null ? { urgency } : {}) };
    },
  };
}

function hopOf(escalationId: string, change: NonNullable<Change['escalation']>, now: number): EscalationRecord {
  return { escalation_id: escalationId, from: change.from, to: change.to, reason: change.reason, at: new Date(now).toISOString(), urgency: change.urgency ?? null };
}

/** Everything that changes with one transition: the new decision state and what to publish. */
export interface Change {
  readonly status: DecisionStatus;
  readonly awaiting: EndpointId | null;
  readonly outcome: string | null;
  readonly consensus_score?: number | null;
  readonly counted_voters?: EndpointId[];
  readonly ruled_by?: EndpointId;
  readonly escalation?: Omit<Escalation, 'escalation_id' | 'at'> & { readonly urgency?: string };
}

export async function loadDecisionRecord(deps: Deps, tenantId: string, decisionId: string): Promise<DecisionRecord> {
  const item = await deps.store.get(keys.decisionItem(tenantId, decisionId));
  if (!item) throw new NotFoundError(`no decision ${decisionId}`);
  return decisionCodec.decode(item);
}

/** The decision with the change applied (not yet written). */
export function applyChange(current: DecisionRecord, change: Change, now: number): DecisionRecord {
  const closed = CLOSED.includes(change.status);
  return {
    ...current,
    status: change.status,
    awaiting: change.awaiting,
    outcome: change.outcome,
    ...(change.consensus_score !== undefined ? { consensus_score: change.consensus_score } : {}),
    ...(change.counted_voters ? { counted_voters: change.counted_voters } : {}),
    ...(change.ruled_by ? { ruled_by: change.ruled_by } : {}),
    completed_at: closed ? new Date(now).toISOString() : null,
  };
}

export interface Transitioned {
  readonly decision: DecisionRecord;
  readonly change: Change;
  readonly escalationId: string | null;
}

/**
 * The one way a stored decision changes: `decide` looks at the current
 * decision and returns the change (or undefined: nothing to do; or throws to
 * refuse); the change is written only if the decision did not change
 * meanwhile (else `decide` runs again on the fresh one, a bounded number of
 * times). Then the escalation hop is recorded and the change's event is
 * published. Returns undefined when `decide` declined.
 */
export async function transition(
  deps: Deps,
  ctx: RequestContext,
  tenantId: string,
  decisionId: string,
  decide: (current: DecisionRecord) => Change | undefined | Promise<Change | undefined>,
): Promise<Transitioned | undefined> {
  let applied: { change: Change; before: DecisionRecord } | undefined;
  const now = deps.clock.now();
  const updated = await updateRecord(
    deps.store,
    keys.decisionItem(tenantId, decisionId),
    decisionCodec,
    async (current) => {
      const change = await decide(current);
      applied = change && { change, before: current };
      return change && applyChange(current, change, now);
    },
    { attempts: 5, what: `decision ${decisionId}` },
  );
  if (!updated) throw new NotFoundError(`no decision ${decisionId}`);
  if (!updated.changed || !applied) return undefined;
  const { change } = applied;
  let escalationId: string | null = null;
  if (change.escalation) {
    escalationId = deps.ids.next();
    await deps.store.put(escalationCodec(tenantId, decisionId).encode(hopOf(escalationId, change.escalation, now)));
  }
  await deps.bus.publish(changeEvents(ctx, updated.record, change, escalationId, now));
  return { decision: updated.record, change, escalationId };
}

/**
 * A decision that closed (approved, rejected, expired — a ruled escalation
 * included) becomes a memory of the organization, keyed by its id with its
 * outcome, ruler and rationale (memory/remember.ts). Run by the
 * decision-workflows consumer on Decision.Completed.v1, off the path of the
 * call that closed it (so nothing it does can overtake that call), and
 * without publishing Memory.Stored.v1 (consumers do not publish). Returns
 * whether a memory was written; a failure is logged, never thrown.
 */
export async function rememberClosedDecision(deps: Deps, ctx: RequestContext, tenantId: string, decisionId: string): Promise<boolean> {
  try {
    const decision = await getDecision(deps, tenantId, decisionId);
    if (!CLOSED.includes(decision.status)) return false;
    return (await rememberRecord(deps, ctx, { ...decisionMemory(tenantId, decision), publish: false })) !== undefined;
  } catch (error) {
    deps.log.warn('closed decision not remembered', { decision_id: decisionId, error: String(error) });
    return false;
  }
}

/** A new decision's first state: written once, with its escalation hop; its events are the caller's. */
export async function createDecision(deps: Deps, record: DecisionRecord, change: Change, now: number): Promise<{ decision: DecisionRecord; escalationId: string | null }> {
  const decision = applyChange(record, change, now);
  await deps.store.put(decisionCodec.encode(decision), { kind: 'absent' });
  let escalationId: string | null = null;
  if (change.escalation) {
    escalationId = deps.ids.next();
    await deps.store.put(escalationCodec(record.tenant_id, record.decision_id).encode(hopOf(escalationId, change.escalation, now)), { kind: 'absent' });
  }
  return { decision, escalationId };
}

export function changeEvents(ctx: RequestContext, decision: DecisionRecord, change: Change, escalationId: string | null, now: number): OutboundEvent[] {
  const base = decisionEnvelope(decision.tenant_id, ctx, now);
  if (change.escalation && escalationId) {
    return [
      buildEvent('Decision.Escalated.v1', {
        ...base,
        decision_id: decision.decision_id,
        escalation_id: escalationId,
        from: change.escalation.from,
        to: change.escalation.to,
        reason: change.escalation.reason,
        amount: decision.amount,
      }),
    ];
  }
  if (CLOSED.includes(change.status)) {
    return [
      buildEvent('Decision.Completed.v1', {
        ...base,
        decision_id: decision.decision_id,
        status: change.status,
        consensus_score: change.consensus_score ?? decision.consensus_score ?? null,
        outcome: change.outcome ?? '',
      }),
    ];
  }
  return [];
}

export function decisionEnvelope(tenantId: string, ctx: RequestContext, now: number) {
  return { tenant_id: tenantId, correlation_id: ctx.correlationId, occurred_at: new Date(now).toISOString() };
}

/** The decision with its votes and escalation hops, as stored. */
export async function loadCollection(deps: Deps, tenantId: string, decisionId: string): Promise<{ decision: DecisionRecord; votes: Vote[]; escalations: Escalation[] }> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.decision(tenantId, decisionId), ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const decision = items.find((i) => i.sk === 'DECISION');
  if (!decision) throw new NotFoundError(`no decision ${decisionId}`);
  const votes = items.filter((i) => i.sk.startsWith('VOTE#')).map((i) => voteCodec(tenantId, decisionId).decode(i));
  const escalations = items
    .filter((i) => i.sk.startsWith('ESCALATION#'))
    .map((i) => {
      const { urgency: _urgency, ...hop } = escalationCodec(tenantId, decisionId).decode(i);
      return hop;
    })
    .sort((a, b) => a.at.localeCompare(b.at));
  return { decision: decisionCodec.decode(decision), votes, escalations };
}

export function toDecision(d: DecisionRecord, votes: Vote[], escalations: Escalation[]): Decision {
  return {
    decision_id: d.decision_id,
    decision_type: d.decision_type,
    initiator: d.initiator,
    participants: d.participants,
    mode: d.mode,
    context: d.context,
    status: d.status,
    amount: d.amount,
    threshold: d.threshold,
    quorum: d.quorum,
    consensus_score: d.consensus_score,
    outcome: d.outcome,
    awaiting: d.awaiting,
    escalations,
    votes: votes.sort((a, b) => a.cast_at.localeCompare(b.cast_at)),
    created_at: d.created_at,
    completed_at: d.completed_at,
    deadline: d.deadline,
    commitment: d.commitment,
  };
}

export async function getDecision(deps: Deps, tenantId: string, decisionId: string): Promise<Decision> {
  const { decision, votes, escalations } = await loadCollection(deps, tenantId, decisionId);
  return toDecision(decision, votes, escalations);
}
