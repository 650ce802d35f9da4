import { buildEvent } from '../../contracts/events.js';
import { BOARD, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { OutboundEvent } from '../../ports/bus.js';
import type { Item } from '../../ports/store.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { checkAuthority, loadChart } from '../org/authority.js';
import { CLOSED, resolveVote, tally, type Decision, type DecisionMode, type DecisionStatus, type Escalation, type Vote, type VoteChoice } from './model.js';

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
}

/** Everything that changes with one transition: the new decision state and what to publish. */
interface Change {
  readonly status: DecisionStatus;
  readonly awaiting: EndpointId | null;
  readonly outcome: string | null;
  readonly consensus_score?: number | null;
  readonly counted_voters?: EndpointId[];
  readonly escalation?: Omit<Escalation, 'escalation_id' | 'at'>;
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
  const base = {
    ...keys.decisionItem(input.tenantId, decisionId),
    gsi1pk: keys.decisions(input.tenantId),
    gsi1sk: `${new Date(now).toISOString()}#${decisionId}`,
    type: 'decision',
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
    created_at: new Date(now).toISOString(),
    completed_at: null,
    deadline,
    counted_voters: [] as EndpointId[],
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
  const item = applyChange(deps, base, state, now);
  await deps.store.put(item.decision, { kind: 'absent' });
  if (item.escalation) await deps.store.put(item.escalation, { kind: 'absent' });
  await deps.bus.publish([...events, ...changeEvents(deps, ctx, base, state, item.escalationId, now)]);
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
  const current = await loadItem(deps, input.tenantId, input.decisionId);
  if (current.mode !== 'collaborative') throw new ValidationError(`decision ${input.decisionId} is ${String(current.mode)}: it is ruled, not voted on`);
  const participants = current.participants as EndpointId[];
  if (!participants.includes(input.voter)) throw new ForbiddenError(`${input.voter} is not a participant of decision ${input.decisionId}`);
  if (current.status !== 'pending') throw new ConflictError(`decision ${input.decisionId} is ${String(current.status)}; voting is closed`);
  const now = deps.clock.now();
  if (current.deadline !== null && now > Date.parse(String(current.deadline))) {
    await settleIfDue(deps, ctx, input.tenantId, input.decisionId);
    throw new ConflictError(`decision ${input.decisionId} passed its deadline ${String(current.deadline)}; voting is closed`);
  }
  const vote: Vote = { voter: input.voter, vote: input.vote, confidence: input.confidence, rationale: input.rationale ?? '', cast_at: new Date(now).toISOString() };
  try {
    await deps.store.put({ ...keys.vote(input.tenantId, input.decisionId, input.voter), type: 'vote', ...vote }, { kind: 'absent' });
  } catch (error) {
    if (error instanceof PreconditionFailedError) throw new ConflictError(`${input.voter} has already voted on decision ${input.decisionId}; a vote cannot be changed`);
    throw error;
  }
  await deps.bus.publish([
    buildEvent('Decision.Voted.v1', { ...envelope(input.tenantId, ctx, now), decision_id: input.decisionId, voter: input.voter, vote: input.vote, confidence: input.confidence }),
  ]);
  const { decision, votes } = await loadCollection(deps, input.tenantId, input.decisionId);
  if (decision.status !== 'pending' && !(decision.counted_voters as EndpointId[]).includes(input.voter)) {
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
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await loadItem(deps, input.tenantId, input.decisionId);
    if (CLOSED.includes(current.status as DecisionStatus)) throw new ConflictError(`decision ${input.decisionId} is already ${String(current.status)}`);
    if (current.awaiting !== input.ruler) {
      throw new ForbiddenError(
        current.awaiting === null
          ? `decision ${input.decisionId} is being voted on, not ruled`
          : `decision ${input.decisionId} awaits ${String(current.awaiting)}, not ${input.ruler}`,
      );
    }
    let change: Change;
    if (input.ruling === 'reject') {
      change = { status: 'rejected', awaiting: null, outcome: `rejected by ${input.ruler}: ${input.rationale}` };
    } else {
      const chart = await loadChart(deps, input.tenantId);
      const check = checkAuthority(chart, input.ruler, Number(current.amount ?? 0));
      change = check.within
        ? { status: 'approved', awaiting: null, outcome: `approved by ${input.ruler}: ${input.rationale}` }
        : { status: 'escalated', awaiting: check.escalateTo, outcome: null, escalation: { from: input.ruler, to: check.escalateTo, reason: check.reason } };
    }
    if (await commit(deps, ctx, current, change)) return getDecision(deps, input.tenantId, input.decisionId);
  }
  throw new ConflictError(`decision ${input.decisionId} is changing concurrently; try again`);
}

/**
 * Closes decisions whose deadline has passed: collaborative ones are tallied
 * with the votes cast; ones awaiting a ruling expire. Safe to call repeatedly.
 */
export async function settleIfDue(deps: Deps, ctx: RequestContext, tenantId: string, decisionId: string): Promise<void> {
  const current = await loadItem(deps, tenantId, decisionId);
  if (CLOSED.includes(current.status as DecisionStatus) || current.deadline === null) return;
  if (deps.clock.now() <= Date.parse(String(current.deadline))) return;
  if (current.mode === 'collaborative' && current.status === 'pending') {
    await closeVoting(deps, ctx, tenantId, decisionId);
    return;
  }
  await commit(deps, ctx, current, { status: 'expired', awaiting: null, outcome: `expired at ${String(current.deadline)} awaiting ${String(current.awaiting)}` });
}

export async function getDecision(deps: Deps, tenantId: string, decisionId: string): Promise<Decision> {
  const { decision, votes, escalations } = await loadCollection(deps, tenantId, decisionId);
  return toDecision(decision, votes, escalations);
}

export interface ListInput {
  readonly tenantId: string;
  readonly status?: DecisionStatus;
  readonly mode?: DecisionMode;
  readonly awaiting?: EndpointId;
  readonly limit: number;
  readonly cursor?: string;
}

/** Lists decisions newest first, filtered, a page at a time. */
export async function listDecisions(deps: Deps, input: ListInput): Promise<{ decisions: Decision[]; next_cursor: string | null }> {
  const found: Item[] = [];
  let cursor = input.cursor;
  // Filters apply after reading: read pages until the page is full or the index is exhausted.
  for (let pages = 0; pages < 20 && found.length < input.limit; pages++) {
    const page = await deps.store.query({ index: 'gsi1', pk: keys.decisions(input.tenantId), descending: true, limit: 50, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      if (found.length === input.limit) {
        cursor = encodeAfter(found[found.length - 1] as Item);
        break;
      }
      if (matches(item, input)) found.push(item);
    }
    if (found.length === input.limit && page.items.indexOf(found[found.length - 1] as Item) < page.items.length - 1) {
      cursor = encodeAfter(found[found.length - 1] as Item);
      break;
    }
    cursor = page.cursor;
    if (!cursor) break;
  }
  // Index entries may lag: read the decisions themselves.
  const decisions = await Promise.all(found.map((item) => getDecision(deps, input.tenantId, String(item.decision_id))));
  return { decisions: decisions.filter((d) => matches(d as unknown as Item, input)), next_cursor: cursor ?? null };
}

function matches(item: Item | Record<string, unknown>, input: ListInput): boolean {
  return (
    (input.status === undefined || item.status === input.status) &&
    (input.mode === undefined || item.mode === input.mode) &&
    (input.awaiting === undefined || item.awaiting === input.awaiting)
  );
}

function encodeAfter(item: Item): string {
  return Buffer.from(JSON.stringify({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk })).toString('base64url');
}

async function closeVoting(deps: Deps, ctx: RequestContext, tenantId: string, decisionId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { decision, votes } = await loadCollection(deps, tenantId, decisionId);
    if (decision.status !== 'pending') return; // someone else closed it
    const t = tally(votes, (decision.participants as EndpointId[]).length, Number(decision.quorum));
    const result = resolveVote(t, Number(decision.threshold));
    const counted = votes.map((v) => v.voter);
    let change: Change;
    if (result.status === 'escalate') {
      // A tie or a missed quorum goes to the initiator's superior to settle.
      const to = (await loadChart(deps, tenantId))[decision.initiator as RoleId].reportsTo;
      change = { status: 'escalated', awaiting: to, outcome: result.outcome, consensus_score: t.score, counted_voters: counted, escalation: { from: decision.initiator as RoleId, to, reason: result.outcome } };
    } else if (result.status === 'approved' && decision.amount !== null) {
      const chart = await loadChart(deps, tenantId);
      const check = checkAuthority(chart, decision.initiator as RoleId, Number(decision.amount));
      change = check.within
        ? { status: 'approved', awaiting: null, outcome: result.outcome, consensus_score: t.score, counted_voters: counted }
        : {
            status: 'escalated',
            awaiting: check.escalateTo,
            outcome: `${result.outcome}; needs ratification: ${check.reason}`,
            consensus_score: t.score,
            counted_voters: counted,
            escalation: { from: decision.initiator as RoleId, to: check.escalateTo, reason: check.reason },
          };
    } else {
      change = { status: result.status, awaiting: null, outcome: result.outcome, consensus_score: t.score, counted_voters: counted };
    }
    if (await commit(deps, ctx, decision, change)) return;
  }
  throw new ConflictError(`decision ${decisionId} is changing concurrently; try again`);
}

/** Writes a transition if nobody else changed the decision meanwhile; publishes its events. */
async function commit(deps: Deps, ctx: RequestContext, current: Item, change: Change): Promise<boolean> {
  const now = deps.clock.now();
  const next = applyChange(deps, current, change, now);
  try {
    await deps.store.put(next.decision, { kind: 'version', version: Number(current.version) });
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
  if (next.escalation) await deps.store.put(next.escalation);
  await deps.bus.publish(changeEvents(deps, ctx, current, change, next.escalationId, now));
  return true;
}

function applyChange(deps: Deps, current: Record<string, unknown>, change: Change, now: number): { decision: Item; escalation?: Item; escalationId?: string } {
  const closed = CLOSED.includes(change.status);
  const decision = {
    ...current,
    status: change.status,
    awaiting: change.awaiting,
    outcome: change.outcome,
    ...(change.consensus_score !== undefined ? { consensus_score: change.consensus_score } : {}),
    ...(change.counted_voters ? { counted_voters: change.counted_voters } : {}),
    completed_at: closed ? new Date(now).toISOString() : null,
    version: Number(current.version ?? 0) + 1,
  } as unknown as Item;
  if (!change.escalation) return { decision };
  const escalationId = deps.ids.next();
  const escalation = {
    ...keys.escalation(String(current.tenant_id), String(current.decision_id), escalationId),
    type: 'escalation',
    escalation_id: escalationId,
    ...change.escalation,
    at: new Date(now).toISOString(),
  } as Item;
  return { decision, escalation, escalationId };
}

function changeEvents(deps: Deps, ctx: RequestContext, decision: Record<string, unknown>, change: Change, escalationId: string | undefined, now: number): OutboundEvent[] {
  const tenantId = String(decision.tenant_id);
  const decisionId = String(decision.decision_id);
  if (change.escalation && escalationId) {
    return [
      buildEvent('Decision.Escalated.v1', {
        ...envelope(tenantId, ctx, now),
        decision_id: decisionId,
        escalation_id: escalationId,
        from: change.escalation.from,
        to: change.escalation.to,
        reason: change.escalation.reason,
        amount: (decision.amount as number | null) ?? null,
      }),
    ];
  }
  if (CLOSED.includes(change.status)) {
    return [
      buildEvent('Decision.Completed.v1', {
        ...envelope(tenantId, ctx, now),
        decision_id: decisionId,
        status: change.status,
        consensus_score: change.consensus_score ?? (decision.consensus_score as number | null) ?? null,
        outcome: change.outcome ?? '',
      }),
    ];
  }
  return [];
}

async function loadItem(deps: Deps, tenantId: string, decisionId: string): Promise<Item> {
  const item = await deps.store.get(keys.decisionItem(tenantId, decisionId));
  if (!item) throw new NotFoundError(`no decision ${decisionId}`);
  return item;
}

async function loadCollection(deps: Deps, tenantId: string, decisionId: string): Promise<{ decision: Item; votes: Vote[]; escalations: Escalation[] }> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ pk: keys.decision(tenantId, decisionId), ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const decision = items.find((i) => i.sk === 'DECISION');
  if (!decision) throw new NotFoundError(`no decision ${decisionId}`);
  const votes = items
    .filter((i) => String(i.sk).startsWith('VOTE#'))
    .map((i) => ({ voter: i.voter as EndpointId, vote: i.vote as VoteChoice, confidence: Number(i.confidence), rationale: String(i.rationale ?? ''), cast_at: String(i.cast_at) }));
  const escalations = items
    .filter((i) => String(i.sk).startsWith('ESCALATION#'))
    .map((i) => ({ escalation_id: String(i.escalation_id), from: i.from as EndpointId, to: i.to as EndpointId, reason: String(i.reason), at: String(i.at) }))
    .sort((a, b) => a.at.localeCompare(b.at));
  return { decision, votes, escalations };
}

function toDecision(item: Item, votes: Vote[], escalations: Escalation[]): Decision {
  return {
    decision_id: String(item.decision_id),
    decision_type: String(item.decision_type),
    initiator: item.initiator as RoleId,
    participants: item.participants as EndpointId[],
    mode: item.mode as DecisionMode,
    context: String(item.context),
    status: item.status as DecisionStatus,
    amount: (item.amount as number | null) ?? null,
    threshold: Number(item.threshold),
    quorum: Number(item.quorum),
    consensus_score: (item.consensus_score as number | null) ?? null,
    outcome: (item.outcome as string | null) ?? null,
    awaiting: (item.awaiting as EndpointId | null) ?? null,
    escalations,
    votes: votes.sort((a, b) => a.cast_at.localeCompare(b.cast_at)),
    created_at: String(item.created_at),
    completed_at: (item.completed_at as string | null) ?? null,
    deadline: (item.deadline as string | null) ?? null,
  };
}

function envelope(tenantId: string, ctx: RequestContext, now: number) {
  return { tenant_id: tenantId, correlation_id: ctx.correlationId, occurred_at: new Date(now).toISOString() };
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

