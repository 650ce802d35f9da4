import type { EventDetail } from '../../contracts/events.js';
import { BOARD, LEADERSHIP, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { getDecision, proposeDecision, settleIfDue } from '../decisions/decisions.js';
import { CLOSED, type Decision, type DecisionStatus } from '../decisions/model.js';
import { NotFoundError } from '../errors.js';
import { escalationCodec, transition } from '../decisions/decision-record.js';
import { keys } from '../keys.js';
import { deliver, notificationId } from '../messages/messages.js';
import { resolveRequests } from '../messages/requests.js';
import { loadChart } from '../org/authority.js';
import type { RunRef, RunView } from './model.js';
import { finishRun, loadRun, startRun, updateRun } from './runs.js';
import { openWait, settleDecisionWaiters, type OpenWaitResult } from './tasks.js';
import { loadWait } from './wait-record.js';

/**
 * The decision workflows: an escalation run per escalation hop (the awaited
 * role or the board rules through an approval task, with reminders; on
 * timeout the decision escalates to the next superior or expires), and a
 * collaborative-decision run per collaborative decision (a vote task for each
 * participant, closing at the deadline or when all have voted; ties escalate,
 * which starts an escalation run). Both are started by bus consumers, with
 * the escalation or decision id as run id, so redelivered events start nothing new.
 */

const usd = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** Decision.Escalated.v1 → the escalation run of this hop (the decision awaits `to`). */
export async function startEscalationRun(deps: Deps, detail: EventDetail<'Decision.Escalated.v1'>): Promise<RunView | undefined> {
  const ctx = { correlationId: detail.correlation_id };
  // Earlier hops and voting end now (the decision moved on); then this hop starts.
  await settleDecisionWaiters(deps, ctx, detail.tenant_id, detail.decision_id);
  const decision = await getDecision(deps, detail.tenant_id, detail.decision_id);
  if (CLOSED.includes(decision.status) || decision.awaiting !== detail.to) return undefined; // already ruled or moved further
  return startRun(deps, ctx, {
    tenantId: detail.tenant_id,
    runId: detail.escalation_id,
    workflow: 'escalation',
    initiator: detail.from,
    title: `Escalated ${decision.decision_type} decision${decision.amount === null ? '' : ` (${usd(decision.amount)} USD)`} awaiting ${detail.to}`,
    input: { decision_id: detail.decision_id, escalation_id: detail.escalation_id, awaiting: detail.to, from: detail.from, reason: detail.reason },
    decisionId: detail.decision_id,
  });
}

/** Decision.Proposed.v1 of a collaborative decision → its collaborative-decision run (asks each participant to vote). */
export async function startCollaborativeRun(deps: Deps, detail: EventDetail<'Decision.Proposed.v1'>): Promise<RunView | undefined> {
  if (detail.mode !== 'collaborative') return undefined;
  return startRun(deps, { correlationId: detail.correlation_id }, {
    tenantId: detail.tenant_id,
    runId: detail.decision_id,
    workflow: 'collaborative_decision',
    initiator: detail.initiator,
    title: `Vote on ${detail.decision_type} decision proposed by ${detail.initiator}`,
    input: { decision_id: detail.decision_id, participants: detail.participants, deadline: detail.deadline },
    decisionId: detail.decision_id,
  });
}

/**
 * Decision.Proposed.v1 of a hierarchical or human-mode decision → a ruling
 * run for the awaited role (the initiator's superior, or the board): the
 * same escalation machine, so the ruler gets a task and a message, with
 * reminders, and a timeout that moves it up the chain or expires it.
 */
export async function startRulingRun(deps: Deps, detail: EventDetail<'Decision.Proposed.v1'>): Promise<RunView | undefined> {
  if (detail.mode !== 'hierarchical' && detail.mode !== 'human') return undefined;
  const decision = await getDecision(deps, detail.tenant_id, detail.decision_id);
  if (CLOSED.includes(decision.status) || !decision.awaiting || decision.escalations.length > 0) return undefined;
  const reason = `${detail.initiator} proposed a ${detail.mode} decision: it is ruled by ${decision.awaiting}`;
  return startRun(deps, { correlationId: detail.correlation_id }, {
    tenantId: detail.tenant_id,
    runId: `${detail.decision_id}-ruling`,
    workflow: 'escalation',
    initiator: detail.initiator,
    title: `${detail.mode === 'human' ? 'Human-mode' : 'Hierarchical'} ${decision.decision_type} decision${decision.amount === null ? '' : ` (${usd(decision.amount)} USD)`} awaiting ${decision.awaiting}`,
    input: { decision_id: detail.decision_id, escalation_id: `${detail.decision_id}-ruling`, awaiting: decision.awaiting, from: detail.initiator, reason },
    decisionId: detail.decision_id,
  });
}

/** The id of the ruling task of an escalation hop (the escalation run's id is the escalation id; one ruling round). */
export function rulingTaskId(escalationId: string, awaiting: EndpointId): string {
  return `${escalationId}.ruling.0.${awaiting}`;
}

/** The id of a participant's vote task (the collaborative run's id is the decision id; one voting round). */
export function voteTaskId(decisionId: string, participant: EndpointId): string {
  return `${decisionId}.voting.0.${participant}`;
}

/** Whether a participant's vote request is settled: it voted, or voting is over. */
export async function voteSettled(deps: Deps, tenantId: string, decisionId: string, participant: EndpointId): Promise<boolean> {
  const decision = await getDecision(deps, tenantId, decisionId).catch(() => undefined);
  return !decision || decision.status !== 'pending' || decision.votes.some((v) => v.voter === participant);
}

/**
 * The decision closed: every participant's vote request, and the board's
 * escalation request (escalate_to_board), leave the inbox's actionable view.
 */
export async function settleDecisionRequests(deps: Deps, tenantId: string, decisionId: string): Promise<void> {
  const decision = await getDecision(deps, tenantId, decisionId).catch(() => undefined);
  if (decision && CLOSED.includes(decision.status)) await resolveRequests(deps, tenantId, `decision:${decisionId}`);
  if (!decision || decision.mode !== 'collaborative') return;
  for (const participant of decision.participants) await resolveRequests(deps, tenantId, `task:${voteTaskId(decisionId, participant)}`);
}

/** `escalation_check`: is the decision still open and still awaiting this hop's role? */
export async function escalationCheck(deps: Deps, ref: RunRef, input: { decisionId: string; awaiting: EndpointId }): Promise<{ active: boolean; status: DecisionStatus }> {
  const decision = await getDecision(deps, ref.tenant_id, input.decisionId);
  return { active: !CLOSED.includes(decision.status) && decision.awaiting === input.awaiting, status: decision.status };
}

/** The approval task of an escalation hop: the awaited role (or the board) rules on the decision by completing it. */
export async function openRulingTask(
  deps: Deps,
  ref: RunRef,
  input: { token: string; state: string; decisionId: string; awaiting: EndpointId; heartbeatSeconds: number; maxReminders: number; reason: string },
): Promise<OpenWaitResult> {
  const decision = await getDecision(deps, ref.tenant_id, input.decisionId);
  const amount = decision.amount === null ? '' : `\nAmount: ${usd(decision.amount)} USD`;
  // A hop raised with escalate_to_board (it carries an urgency) came with its own escalation message, the ruler's one message about it.
  const hop = await deps.store.get(keys.escalation(ref.tenant_id, input.decisionId, ref.run_id));
  const announced = hop !== undefined && escalationCodec(ref.tenant_id, input.decisionId).decode(hop).urgency !== null;
  return openWait(deps, {
    ref,
    token: input.token,
    state: input.state,
    stage: 'ruling',
    round: 0,
    kind: 'approval',
    title: 'Rule on an escalated decision',
    instructions:
      `Decision ${decision.decision_id} (${decision.decision_type}, ${decision.mode}, proposed by ${decision.initiator}) awaits your ruling: ${input.reason}.\n\n` +
      `${decision.context}${amount}\n\nApprove or reject with a rationale (result.rationale). Approving above your own authority escalates it further.`,
    assignments: [{ assignee: input.awaiting }],
    mode: 'decision',
    onNegative: 'continue',
    heartbeatSeconds: input.heartbeatSeconds,
    maxReminders: input.maxReminders,
    context: { decision: { decision_id: decision.decision_id, decision_type: decision.decision_type, amount: decision.amount, initiator: decision.initiator, escalations: decision.escalations } },
    decision: { decisionId: input.decisionId, rule: 'ruling', effect: 'rule', awaiting: input.awaiting },
    ...(announced ? { notify: false } : {}),
  });
}

/**
 * `escalation_timeout`: the awaited role did not rule in time. Below the
 * board the decision escalates to that role's superior (a new escalation
 * record and Decision.Escalated.v1, which starts the next hop's run); at the
 * board it expires (Decision.Completed.v1: the initiator hears of it). A
 * decision's own deadline does not cut this short: an escalated decision
 * stays escalated until it is ruled or its escalation policy expires it. The
 * initiator is told either way: a move up the chain by one notification
 * here, an expiry by the decision's outcome message. The run ends timed out.
 */
export async function escalationTimeout(deps: Deps, ref: RunRef, input: { decisionId: string; awaiting: EndpointId }): Promise<{ action: 'escalated' | 'expired' | 'none'; to: EndpointId | null }> {
  const ctx = { correlationId: ref.correlation_id };
  const chart = input.awaiting === BOARD ? undefined : await loadChart(deps, ref.tenant_id);
  const moved = await transition(deps, ctx, ref.tenant_id, input.decisionId, (current) => {
    if (CLOSED.includes(current.status) || current.awaiting !== input.awaiting) return undefined;
    if (input.awaiting === BOARD || !chart) return { status: 'expired', awaiting: null, outcome: 'expired: the board did not rule within the escalation timeout' };
    const to = chart[input.awaiting as RoleId].reportsTo;
    return { status: 'escalated', awaiting: to, outcome: current.outcome, escalation: { from: input.awaiting, to, reason: `${input.awaiting} did not rule within the escalation timeout; escalated to ${to}` } };
  }).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const result: { action: 'escalated' | 'expired' | 'none'; to: EndpointId | null } = !moved
    ? { action: 'none', to: null }
    : moved.change.status === 'expired'
      ? { action: 'expired', to: null }
      : { action: 'escalated', to: moved.change.awaiting };
  const cause =
    result.action === 'escalated'
      ? `${input.awaiting} did not rule in time; decision ${input.decisionId} escalated to ${result.to}`
      : result.action === 'expired'
        ? `${input.awaiting} did not rule in time; decision ${input.decisionId} expired`
        : `${input.awaiting} did not rule in time, but decision ${input.decisionId} had already moved on`;
  await finishRun(deps, ctx, ref, { status: 'timed_out', cause });
  // Moved up the chain: the initiator hears where its request now waits (an expiry is told by the decision's outcome).
  if (moved?.escalationId && result.action === 'escalated') {
    const d = moved.decision;
    const at = new Date(deps.clock.now()).toISOString();
    await deliver(deps, {
      tenantId: ref.tenant_id,
      messageId: notificationId(at, `escalation-timeout:${moved.escalationId}`, d.initiator),
      from: 'conclave',
      to: d.initiator,
      recipients: [d.initiator],
      type: 'notification',
      priority: 'normal',
      subject: `Escalated: your ${d.decision_type.replace(/_/g, ' ')} request (decision ${d.decision_id}) now awaits ${result.to ?? 'the next ruler'}`.slice(0, 200),
      content: `${input.awaiting} did not rule on decision ${d.decision_id} in time, so it moved up the chain to ${result.to ?? 'the next ruler'}. You will hear how it ends.\n\nSee get_decision { decision_id: "${d.decision_id}" }.`,
      threadId: d.decision_id,
      replyTo: null,
      correlationId: ctx.correlationId,
      sentAt: at,
    });
  }
  return result;
}

/** Run outcome text for a decision run that ended normally. */
export async function decisionOutcome(deps: Deps, ref: RunRef, decisionId: string): Promise<string> {
  const d = await getDecision(deps, ref.tenant_id, decisionId);
  return `decision ${decisionId} is ${d.status}${d.awaiting ? ` (awaiting ${d.awaiting})` : ''}${d.outcome ? `: ${d.outcome}` : ''}`;
}

/** Without a decision deadline, the vote waits this long at most. */
const DEFAULT_VOTE_SECONDS = 7 * 24 * 3600;

/**
 * `vote_check`: settles the decision if its deadline passed, then says
 * whether voting is still open and how long the next wait may last: until
 * the deadline, with reminders every `reminderSeconds` while the run's
 * reminders last (after that, quietly until the deadline).
 */
export async function voteCheck(
  deps: Deps,
  ref: RunRef,
  input: { decisionId: string; reminderSeconds: number },
): Promise<{ pending: boolean; has_deadline: boolean; timeout_seconds: number; heartbeat_seconds: number }> {
  await settleIfDue(deps, { correlationId: ref.correlation_id }, ref.tenant_id, input.decisionId);
  const decision = await getDecision(deps, ref.tenant_id, input.decisionId);
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const wait = run.current_wait_id ? await loadWait(deps, keys.runWait(ref.tenant_id, ref.run_id, run.current_wait_id)) : undefined;
  const remindersLeft = wait ? wait.max_reminders - wait.reminders : 1;
  const seconds = decision.deadline ? Math.ceil((Date.parse(decision.deadline) - deps.clock.now()) / 1000) : DEFAULT_VOTE_SECONDS;
  const timeout = Math.max(2, seconds);
  return {
    pending: decision.mode === 'collaborative' && decision.status === 'pending',
    has_deadline: decision.deadline !== null,
    timeout_seconds: timeout,
    heartbeat_seconds: Math.max(1, remindersLeft > 0 ? Math.min(input.reminderSeconds, timeout - 1) : timeout - 1),
  };
}

/** `open_vote_tasks`: one vote task per participant who has not voted; the wait resolves when voting closes. */
export async function openVoteTasks(
  deps: Deps,
  ref: RunRef,
  input: { token: string; state: string; decisionId: string; heartbeatSeconds: number; maxReminders: number },
): Promise<OpenWaitResult> {
  const decision = await getDecision(deps, ref.tenant_id, input.decisionId);
  const voted = new Set(decision.votes.map((v) => v.voter));
  const deadline = decision.deadline ? ` before ${decision.deadline}` : '';
  return openWait(deps, {
    ref,
    token: input.token,
    state: input.state,
    stage: 'voting',
    round: 0,
    kind: 'approval',
    title: `Vote on ${decision.decision_type} decision`,
    instructions:
      `${decision.initiator} asks for your vote on decision ${decision.decision_id}${deadline}:\n\n${decision.context}` +
      `${decision.amount === null ? '' : `\nAmount: ${usd(decision.amount)} USD`}\n\n` +
      'Complete with approve or reject; result.confidence (0..1, default 1) and result.rationale are recorded with the vote. To abstain, use the vote tool.',
    assignments: decision.participants.filter((p) => !voted.has(p)).map((assignee) => ({ assignee })),
    mode: 'decision',
    onNegative: 'continue',
    heartbeatSeconds: input.heartbeatSeconds,
    maxReminders: input.maxReminders,
    context: { decision: { decision_id: decision.decision_id, decision_type: decision.decision_type, threshold: decision.threshold, quorum: decision.quorum, deadline: decision.deadline } },
    decision: { decisionId: input.decisionId, rule: 'vote', effect: 'vote' },
    // The vote request (vote-notifier) is the participant's one message for this task.
    notify: false,
  });
}

/** `vote_close`: the deadline came: tally with the votes cast (a tie or missed quorum escalates). */
export async function voteClose(deps: Deps, ref: RunRef, decisionId: string): Promise<{ status: DecisionStatus }> {
  await settleIfDue(deps, { correlationId: ref.correlation_id }, ref.tenant_id, decisionId);
  return { status: (await getDecision(deps, ref.tenant_id, decisionId)).status };
}

/**
 * `open_decision_wait` (strategic planning): puts the proposal to a
 * leadership vote — a collaborative decision of the four leadership roles,
 * which runs its own collaborative-decision workflow — and waits for it to
 * close. The proposed decision is recorded on the run before the wait opens,
 * so a retry finds it instead of proposing again.
 */
export async function openLeadershipVote(
  deps: Deps,
  ref: RunRef,
  input: {
    token: string;
    state: string;
    round: number;
    heartbeatSeconds: number;
    maxReminders: number;
    deadlineHours: number;
    proposal: { initiative: string; objective: string; period?: string; allocations: { department: string; amount: number; owner: string }[] };
    amendment?: unknown;
  },
): Promise<OpenWaitResult> {
  const waitId = `${input.state}.${input.round}`;
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  let decisionId: string | undefined = run.vote_decisions[waitId];
  if (!decisionId) {
    const total = input.proposal.allocations.reduce((sum, a) => sum + a.amount, 0);
    const lines = input.proposal.allocations.map((a) => `- ${a.department}: ${usd(a.amount)} USD (owner ${a.owner})`).join('\n');
    const amendment = input.amendment && typeof input.amendment === 'object' && Object.keys(input.amendment).length ? `\n\nCEO notes: ${JSON.stringify(input.amendment).slice(0, 2000)}` : '';
    const decision: Decision = await proposeDecision(deps, { correlationId: ref.correlation_id }, {
      tenantId: ref.tenant_id,
      initiator: 'ceo',
      decisionType: 'strategic_plan',
      mode: 'collaborative',
      context: `Strategic plan: ${input.proposal.initiative}${input.proposal.period ? ` (${input.proposal.period})` : ''}\n\n${input.proposal.objective}\n\nBudget:\n${lines}${amendment}`.slice(0, 10_000),
      participants: [...LEADERSHIP],
      deadline: new Date(deps.clock.now() + input.deadlineHours * 3600_000).toISOString(),
      amount: Math.round(total * 100) / 100,
    });
    decisionId = decision.decision_id;
    await updateRun(deps, ref.tenant_id, ref.run_id, (r) => ({ ...r, decision_id: decisionId ?? null, vote_decisions: { ...r.vote_decisions, [waitId]: decisionId as string } }));
  }
  return openWait(deps, {
    ref,
    token: input.token,
    state: input.state,
    stage: 'leadership_vote',
    round: input.round,
    kind: 'approval',
    title: 'Leadership vote',
    instructions: `The leadership votes on decision ${decisionId}.`,
    assignments: [],
    mode: 'decision',
    onNegative: 'continue',
    heartbeatSeconds: input.heartbeatSeconds,
    maxReminders: input.maxReminders,
    context: {},
    decision: { decisionId, rule: 'outcome' },
  });
}
