import { buildEvent } from '../../contracts/events.js';
import { BOARD, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { OutboundEvent } from '../../ports/bus.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, ForbiddenError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { checkAuthority, loadChart } from '../org/authority.js';
import { changeEvents, createDecision, decisionEnvelope as envelope, getDecision, loadCollection, loadDecisionRecord, transition, type Change, type DecisionRecord, voteCodec } from './decision-record.js';
import { CLOSED, resolveVote, tally, type Commitment, type Decision, type DecisionMode, type Vote, type VoteChoice } from './model.js';

export { getDecision } from './decision-record.js';
export { listDecisions, type ListInput } from './list-decisions.js';

export const DEFAULT_THRESHOLD = 0.6;
export const DEFAULT_QUORUM = 0.5;

export interface ProposeInput {
  readonly tenantId: string;
  readonly initiator: RoleId;
  readonly decisionType: string;
  readonly mode: DecisionMode;
  readonly context: string;
  readonly participants?: readonly EndpointId[];
  readonly deadline?: string;
  readonly threshold?: number;
  readonly quorum?: number;
  readonly amount?: number;
  /** What approving it commits the organization to: Conclave applies it once the decision is approved. */
  readonly commitment?: Commitment;
}

/**
 * Proposes a decision. Autonomous: approved at once within the initiator's
 * authority, escalated above it. Collaborative: asks each participant to vote.
 * Hierarchical: awaits the initiator's superior. Human: awaits the board.
 */
export async function proposeDecision(deps: Deps, ctx: RequestContext, input: ProposeInput): Promise<Decision> {
  const now = deps.clock.now();
  const deadline = input.deadline === undefined ? null : parseDeadline(input.deadline, now);
  const participants = [...new Set(input.participants ?? [])];
  if (input.mode === 'collaborative') {
    if (participants.length === 0) throw new ValidationError('a collaborative decision needs at least one participant');
  } else if (participants.length > 0) {
    throw new ValidationError(`participants are only for collaborative decisions; a ${input.mode} decision is ruled by ${rulerOf(input.mode)}`);
  }
  if (input.mode !== 'collaborative' && (input.threshold !== undefined || input.quorum !== undefined)) {
    throw new ValidationError('threshold and quorum apply to collaborative decisions only');
  }
  const chart = await loadChart(deps, input.tenantId);
  const decisionId = deps.ids.next();
  const base: DecisionRecord = {
    tenant_id: input.tenantId,
    decision_id: decisionId,
    decision_type: input.decisionType,
    initiator: input.initiator,
    participants,
    mode: input.mode,
    context: input.context,
    amount: input.amount ?? null,
    threshold: input.threshold ?? DEFAULT_THRESHOLD,
    quorum: input.quorum ?? DEFAULT_QUORUM,
    consensus_score: null,
    outcome: null,
    status: 'pending',
    awaiting: null,
    created_at: new Date(now).toISOString(),
    completed_at: null,
    deadline,
    counted_voters: [],
    commitment: input.commitment ?? null,
    ruled_by: null,
    version: 1,
  };
  let state: Change;
  if (input.mode === 'autonomous') {
    const check = checkAuthority(chart, input.initiator, input.amount ?? 0);
    state = check.within
      ? { status: 'approved', awaiting: null, outcome: `approved by ${input.initiator} within its authority` }
      : { status: 'escalated', awaiting: check.escalateTo, outcome: null, escalation: { from: input.initiator, to: check.escalateTo, reason: check.reason } };
  } else if (input.mode === 'hierarchical') {
    state = { status: 'pending', awaiting: chart[input.initiator].reportsTo, outcome: null };
  } else if (input.mode === 'human') {
    state = { status: 'pending', awaiting: BOARD, outcome: null };
  } else {
    state = { status: 'pending', awaiting: null, outcome: null };
  }
  const events: OutboundEvent[] = [
    buildEvent('Decision.Proposed.v1', {
      ...envelope(input.tenantId, ctx, now),
      decision_id: decisionId,
      decision_type: input.decisionType,
      mode: input.mode,
      initiator: input.initiator,
      participants,
      amount: input.amount ?? null,
      deadline,
    }),
  ];
  if (input.mode === 'collaborative') {
    for (const participant of participants) {
      events.push(
        buildEvent('Decision.VoteRequired.v1', {
          ...envelope(input.tenantId, ctx, now),
          decision_id: decisionId,
          participant,
          initiator: input.initiator,
          context: input.context,
          deadline,
        }),
      );
    }
  }
  const created = await createDecision(deps, base, state, now);
  await deps.bus.publish([...events, ...changeEvents(ctx, created.decision, state, created.escalationId, now)]);
  return getDecision(deps, input.tenantId, decisionId);
}

export interface VoteInput {
  readonly tenantId: string;
  readonly voter: EndpointId;
  readonly decisionId: string;
  readonly vote: VoteChoice;
  readonly confidence: number;
  readonly rationale?: string;
}

/**
 * Casts one vote. Only participants of a pending collaborative decision may
 * vote, once each (a second vote is refused, never counted twice). The vote
 * that completes the set — or any vote after the deadline — closes the
 * decision; concurrent closers race on a version check, so it closes once.
 */
export async function castVote(deps: Deps, ctx: RequestContext, input: VoteInput): Promise<Decision> {
  const current = await loadDecisionRecord(deps, input.tenantId, input.decisionId);
  if (current.mode !== 'collaborative') throw new ValidationError(`decision ${input.decisionId} is ${current.mode}: it is ruled, not voted on`);
  const participants = current.participants;
  if (!participants.includes(input.voter)) throw new ForbiddenError(`${input.voter} is not a participant of decision ${input.decisionId}`);
  if (current.status !== 'pending') throw new ConflictError(`decision ${input.decisionId} is ${current.status}; voting is closed`);
  const now = deps.clock.now();
  if (current.deadline !== null && now > Date.parse(current.deadline)) {
    await settleIfDue(deps, ctx, input.tenantId, input.decisionId);
    throw new ConflictError(`decision ${input.decisionId} passed its deadline ${current.deadline}; voting is closed`);
  }
  const vote: Vote = { voter: input.voter, vote: input.vote, confidence: input.confidence, rationale: input.rationale ?? '', cast_at: new Date(now).toISOString() };
  try {
    await deps.store.put(voteCodec(input.tenantId, input.decisionId).encode(vote), { kind: 'absent' });
  } catch (error) {
    if (error instanceof PreconditionFailedError) throw new ConflictError(`${input.voter} has already voted on decision ${input.decisionId}; a vote cannot be changed`);
    throw error;
  }
  await deps.bus.publish([
    buildEvent('Decision.Voted.v1', { ...envelope(input.tenantId, ctx, now), decision_id: input.decisionId, voter: input.voter, vote: input.vote, confidence: input.confidence }),
  ]);
  const { decision, votes } = await loadCollection(deps, input.tenantId, input.decisionId);
  if (decision.status !== 'pending' && !decision.counted_voters.includes(input.voter)) {
    // The decision closed between our check and our write: withdraw the uncounted vote.
    await deps.store.delete(keys.vote(input.tenantId, input.decisionId, input.voter));
    throw new ConflictError(`decision ${input.decisionId} closed before your vote was counted; it was not recorded`);
  }
  if (votes.length >= participants.length) await closeVoting(deps, ctx, input.tenantId, input.decisionId);
  return getDecision(deps, input.tenantId, input.decisionId);
}

/**
 * Rules on a decision awaiting the actor (hierarchical, human, or escalated).
 * Approving above the ruler's own authority escalates further instead.
 */
export async function ruleOnDecision(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; ruler: EndpointId; decisionId: string; ruling: 'approve' | 'reject'; rationale: string },
): Promise<Decision> {
  await transition(deps, ctx, input.tenantId, input.decisionId, async (current) => {
    if (CLOSED.includes(current.status)) throw new ConflictError(`decision ${input.decisionId} is already ${current.status}`);
    if (current.awaiting !== input.ruler) {
      throw new ForbiddenError(
        current.awaiting === null
          ? `decision ${input.decisionId} is being voted on, not ruled`
          : `decision ${input.decisionId} awaits ${current.awaiting}, not ${input.ruler}`,
      );
    }
    if (input.ruling === 'reject') return { status: 'rejected', awaiting: null, outcome: `rejected by ${input.ruler}: ${input.rationale}`, ruled_by: input.ruler };
    const check = checkAuthority(await loadChart(deps, input.tenantId), input.ruler, current.amount ?? 0);
    return check.within
      ? { status: 'approved', awaiting: null, outcome: `approved by ${input.ruler}: ${input.rationale}`, ruled_by: input.ruler }
      : { status: 'escalated', awaiting: check.escalateTo, outcome: null, ruled_by: input.ruler, escalation: { from: input.ruler, to: check.escalateTo, reason: check.reason } };
  });
  return getDecision(deps, input.tenantId, input.decisionId);
}

/**
 * Closes decisions whose deadline has passed: collaborative ones are tallied
 * with the votes cast; ones awaiting a ruling expire. Safe to call repeatedly.
 */
export async function settleIfDue(deps: Deps, ctx: RequestContext, tenantId: string, decisionId: string): Promise<void> {
  const current = await loadDecisionRecord(deps, tenantId, decisionId);
  if (CLOSED.includes(current.status) || current.deadline === null) return;
  if (deps.clock.now() <= Date.parse(current.deadline)) return;
  if (current.mode === 'collaborative' && current.status === 'pending') {
    await closeVoting(deps, ctx, tenantId, decisionId);
    return;
  }
  // An escalated decision stays escalated until ruled: its escalation run's timeout moves it up or expires it (SPEC "Deadlines").
  if (current.status === 'escalated') return;
  await transition(deps, ctx, tenantId, decisionId, (d) =>
    CLOSED.includes(d.status) || d.status === 'escalated' ? undefined : { status: 'expired', awaiting: null, outcome: `expired at ${d.deadline ?? ''} awaiting ${d.awaiting ?? 'nobody'}` },
  );
}

async function closeVoting(deps: Deps, ctx: RequestContext, tenantId: string, decisionId: string): Promise<void> {
  await transition(deps, ctx, tenantId, decisionId, async (decision) => {
    if (decision.status !== 'pending') return undefined; // someone else closed it
    const { votes } = await loadCollection(deps, tenantId, decisionId);
    const t = tally(votes, decision.participants.length, decision.quorum);
    const result = resolveVote(t, decision.threshold);
    const counted = votes.map((v) => v.voter);
    const chart = await loadChart(deps, tenantId);
    if (result.status === 'escalate') {
      // A tie or a missed quorum goes to the initiator's superior to settle; it stays escalated until ruled.
      const to = chart[decision.initiator].reportsTo;
      return { status: 'escalated', awaiting: to, outcome: result.outcome, consensus_score: t.score, counted_voters: counted, escalation: { from: decision.initiator, to, reason: result.outcome } };
    }
    if (result.status === 'approved' && decision.amount !== null) {
      const check = checkAuthority(chart, decision.initiator, decision.amount);
      if (!check.within) {
        return {
          status: 'escalated',
          awaiting: check.escalateTo,
          outcome: `${result.outcome}; needs ratification: ${check.reason}`,
          consensus_score: t.score,
          counted_voters: counted,
          escalation: { from: decision.initiator, to: check.escalateTo, reason: check.reason },
        };
      }
    }
    return { status: result.status, awaiting: null, outcome: result.outcome, consensus_score: t.score, counted_voters: counted };
  });
}

function parseDeadline(deadline: string, now: number): string {
  const at = Date.parse(deadline);
  if (Number.isNaN(at)) throw new ValidationError(`deadline "${deadline}" is not an ISO 8601 date-time`);
  if (at <= now) throw new ValidationError(`deadline ${deadline} is in the past`);
  return new Date(at).toISOString();
}

function rulerOf(mode: DecisionMode): string {
  return mode === 'human' ? 'the board' : mode === 'hierarchical' ? "the initiator's superior" : 'the initiator';
}

