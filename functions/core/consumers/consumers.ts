import * as z from 'zod';
import { parseDetail, type BusEvent, type DetailType, type EventDetail } from '../../contracts/events.js';
import type { ConsumerId } from '../../contracts/rules.js';
import { LEADERSHIP } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { MalformedEventError } from '../errors.js';
import { deliver, deliveryFromEvent, notificationId } from '../messages/messages.js';
import { resolveRequests } from '../messages/requests.js';
import { applyDecisionOutcome } from '../outcomes/approval-effects.js';
import { settleDecisionRequests, startCollaborativeRun, startEscalationRun, startRulingRun, voteSettled, voteTaskId } from '../workflows/decision-runs.js';
import { startWorkflow } from '../workflows/runs.js';
import { settleDecisionWaiters } from '../workflows/tasks.js';
import { rememberClosedDecision } from '../decisions/decision-record.js';

/** What a consumer reports about one event (logged; useful in tests and benchmarks). */
export interface ConsumerResult {
  readonly delivered: number;
  readonly duplicates: number;
}

export type Consumer = (deps: Deps, event: BusEvent) => Promise<ConsumerResult>;

/** Parses an event's detail with its contract; a mismatch is a MalformedEventError naming the fields. */
function parse<T extends DetailType>(event: BusEvent, detailType: T): EventDetail<T> {
  if (event['detail-type'] !== detailType) throw new MalformedEventError(`expected ${detailType}, got ${JSON.stringify(event['detail-type'])}`);
  try {
    return parseDetail(detailType, event.detail);
  } catch (error) {
    const issues = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || '(detail)'}: ${i.message}`).join('; ') : String(error);
    throw new MalformedEventError(`event ${event.id} (${detailType}) does not match its contract: ${issues}`, { cause: error });
  }
}

function count(result: { delivered: unknown[]; duplicates: unknown[] }): ConsumerResult {
  return { delivered: result.delivered.length, duplicates: result.duplicates.length };
}

/** Message.Sent.v1 → one inbox entry per recipient (idempotent on the message id). */
const inboxFanout: Consumer = async (deps, event) => count(await deliver(deps, deliveryFromEvent(parse(event, 'Message.Sent.v1'))));

/**
 * Decision.VoteRequired.v1 → the one vote request in the participant's
 * inbox. It stands for the participant's vote task too (the collaborative
 * run opens that task without a message of its own), so it stays actionable
 * until the participant votes or voting closes.
 */
const voteNotifier: Consumer = async (deps, event) => {
  const d = parse(event, 'Decision.VoteRequired.v1');
  const deadline = d.deadline ? ` before ${d.deadline}` : '';
  const taskId = voteTaskId(d.decision_id, d.participant);
  const delivered = count(
    await deliver(deps, {
      tenantId: d.tenant_id,
      messageId: notificationId(event.time, event.id, d.participant),
      from: 'conclave',
      to: d.participant,
      recipients: [d.participant],
      type: 'request',
      priority: 'high',
      subject: `Vote required: decision ${d.decision_id}`,
      content:
        `${d.initiator} asks for your vote${deadline}.\n\n${d.context}\n\nVote with: vote { decision_id: "${d.decision_id}", vote: approve | reject | abstain, confidence: 0..1, rationale }` +
        ` — or complete your vote task: complete_task { task_id: "${taskId}", outcome: approve | reject, result: { confidence, rationale } }`,
      threadId: d.decision_id,
      replyTo: null,
      correlationId: d.correlation_id,
      sentAt: event.time,
      request: `task:${taskId}`,
    }),
  );
  // Voted (or voting closed) before the request reached the inbox: settle it now.
  if (await voteSettled(deps, d.tenant_id, d.decision_id, d.participant)) await resolveRequests(deps, d.tenant_id, `task:${taskId}`);
  return delivered;
};

/** Agent.Heartbeat.v1 (entering or leaving `error`) → a notification to the operations head. */
const agentStatus: Consumer = async (deps, event) => {
  const d = parse(event, 'Agent.Heartbeat.v1');
  const entered = d.status === 'error';
  return count(
    await deliver(deps, {
      tenantId: d.tenant_id,
      messageId: notificationId(event.time, event.id, 'operations_head'),
      from: 'conclave',
      to: 'operations_head',
      recipients: ['operations_head'],
      type: 'notification',
      priority: entered ? 'high' : 'normal',
      subject: entered ? `Agent ${d.role} reports an error` : `Agent ${d.role} recovered`,
      content: entered
        ? `The ${d.role} agent reported status "error" (was ${d.previous_status ?? 'unknown'}). Its work may be blocked.`
        : `The ${d.role} agent is ${d.status} again after an error.`,
      threadId: `agent-status-${d.role}`,
      replyTo: null,
      correlationId: d.correlation_id,
      sentAt: event.time,
    }),
  );
};

/**
 * Integration.Alert.v1 → an escalation to the operations head (and the whole
 * leadership for severity 1), and an incident response run for the alert (its
 * id derives from the event, so a redelivered alert starts nothing new; the
 * run does not tell the leadership again).
 */
const inboundAlert: Consumer = async (deps, event) => {
  const d = parse(event, 'Integration.Alert.v1');
  const recipients = d.severity === 1 ? [...LEADERSHIP] : (['operations_head'] as const);
  const messageId = notificationId(event.time, event.id, 'alert');
  const delivered = count(
    await deliver(deps, {
      tenantId: d.tenant_id,
      messageId,
      from: 'conclave',
      to: d.severity === 1 ? 'leadership' : 'operations_head',
      recipients: [...recipients],
      type: 'escalation',
      priority: d.severity <= 2 ? 'urgent' : 'high',
      subject: `[SEV${d.severity}] ${d.title}`,
      content: `${d.description || d.title}\n\nAlert: ${d.alert_id} (from ${event.source})`,
      threadId: `alert-${d.alert_id}`.slice(0, 200),
      replyTo: null,
      correlationId: d.correlation_id ?? event.id,
      sentAt: event.time,
    }),
  );
  await startWorkflow(deps, { correlationId: d.correlation_id ?? event.id }, {
    tenantId: d.tenant_id,
    initiator: 'operations_head',
    workflow: 'incident_response',
    runId: notificationId(event.time, event.id, 'incident'),
    input: { title: d.title, severity: d.severity, description: d.description.slice(0, 10_000), alert_id: d.alert_id },
    leadershipNotified: true,
  });
  return delivered;
};

/** Decision.Escalated.v1 → the escalation run of that hop (and the end of the previous hop's). */
const escalationStarter: Consumer = async (deps, event) => {
  const run = await startEscalationRun(deps, parse(event, 'Decision.Escalated.v1'));
  return { delivered: run ? 1 : 0, duplicates: 0 };
};

/**
 * Decision.Proposed.v1 (collaborative) → its collaborative-decision run;
 * Decision.Voted.v1 / Decision.Completed.v1 → the runs waiting on the
 * decision re-check it (vote tasks done elsewhere, voting closed, a ruling).
 */
const decisionWorkflows: Consumer = async (deps, event) => {
  if (event['detail-type'] === 'Decision.Proposed.v1') {
    const proposed = parse(event, 'Decision.Proposed.v1');
    // Collaborative: a vote run; hierarchical and human: a ruling run (a task and a message for the ruler, as an escalation gets).
    const run = proposed.mode === 'collaborative' ? await startCollaborativeRun(deps, proposed) : await startRulingRun(deps, proposed);
    return { delivered: run ? 1 : 0, duplicates: 0 };
  }
  if (event['detail-type'] === 'Decision.Voted.v1') {
    const voted = parse(event, 'Decision.Voted.v1');
    // The voter's vote request is settled, however the vote was cast.
    await resolveRequests(deps, voted.tenant_id, `task:${voteTaskId(voted.decision_id, voted.voter)}`);
    const resolved = await settleDecisionWaiters(deps, { correlationId: voted.correlation_id }, voted.tenant_id, voted.decision_id);
    return { delivered: resolved.length, duplicates: 0 };
  }
  const d = parse(event, 'Decision.Completed.v1');
  const resolved = await settleDecisionWaiters(deps, { correlationId: d.correlation_id }, d.tenant_id, d.decision_id);
  await settleDecisionRequests(deps, d.tenant_id, d.decision_id);
  // A closed decision becomes a memory of the organization (idempotent: a redelivery rewrites the same record).
  const remembered = event['detail-type'] === 'Decision.Completed.v1' && (await rememberClosedDecision(deps, { correlationId: d.correlation_id }, d.tenant_id, d.decision_id));
  return { delivered: resolved.length + (remembered ? 1 : 0), duplicates: 0 };
};

/** Decision.Completed.v1 → the approval applied once, and the initiator told how it ended. */
const approvalEffects: Consumer = async (deps, event) => {
  const d = parse(event, 'Decision.Completed.v1');
  const outcome = await applyDecisionOutcome(deps, { correlationId: d.correlation_id }, d.tenant_id, d.decision_id);
  return { delivered: outcome.reported ? 1 : 0, duplicates: outcome.reported ? 0 : 1 };
};

/** Consumer id → use case. Lambda handlers and the local bus dispatch through this table. */
export const CONSUMER_USE_CASES: Readonly<Record<ConsumerId, Consumer>> = {
  'inbox-fanout': inboxFanout,
  'vote-notifier': voteNotifier,
  'agent-status': agentStatus,
  'inbound-alert': inboundAlert,
  'escalation-starter': escalationStarter,
  'decision-workflows': decisionWorkflows,
  'approval-effects': approvalEffects,
};
