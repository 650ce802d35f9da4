import { EVENT_SOURCE, INTEGRATION_SOURCE } from './events.js';

/** The event consumers: each is a Lambda handler in AWS and an in-process subscriber locally. */
export const CONSUMERS = ['inbox-fanout', 'vote-notifier', 'agent-status', 'inbound-alert', 'escalation-starter', 'decision-workflows', 'approval-effects'] as const;
export type ConsumerId = (typeof CONSUMERS)[number];

/**
 * Consumers that publish events (PutEvents on the Conclave bus); every other
 * consumer only reads from the bus. approval-effects reports each outcome
 * (Outcome.Reported.v1) once it has applied it.
 */
export const CONSUMER_PUBLISHES: Readonly<Partial<Record<ConsumerId, boolean>>> = { 'approval-effects': true };

/** A bus rule: an EventBridge pattern and the consumer it targets. */
export interface RuleSpec {
  /** CDK construct id and local subscriber name. */
  readonly id: string;
  readonly description: string;
  readonly consumer: ConsumerId;
  readonly pattern: Readonly<Record<string, unknown>>;
}

/**
 * The rules Conclave itself deploys. The CDK stack creates exactly these
 * (with retry policies and dead-letter queues) and the local bus routes with
 * exactly these patterns through the same matcher semantics.
 */
export const RULES: readonly RuleSpec[] = [
  {
    id: 'InboxFanout',
    description: 'Delivers every sent message to the inbox of each recipient (a role, the board, or every member of a channel).',
    consumer: 'inbox-fanout',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Message.Sent.v1'] },
  },
  {
    id: 'VoteRequired',
    description: "Puts a vote request in the participant's inbox.",
    consumer: 'vote-notifier',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Decision.VoteRequired.v1'] },
  },
  {
    id: 'AgentStatus',
    description: 'Tells the operations head when an agent enters or leaves the error status.',
    consumer: 'agent-status',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['Agent.Heartbeat.v1'],
      $or: [
        { detail: { status: ['error'], previous_status: [null, 'running', 'idle', 'stale'] } },
        { detail: { status: ['running', 'idle'], previous_status: ['error'] } },
      ],
    },
  },
  {
    id: 'InboundAlert',
    description: 'Turns an alert sent in by an integrator into an escalation to the operations head and starts the incident response workflow.',
    consumer: 'inbound-alert',
    pattern: { source: [INTEGRATION_SOURCE], 'detail-type': ['Integration.Alert.v1'] },
  },
  {
    id: 'EscalationStarter',
    description: 'Starts the escalation workflow of each escalation: an approval task for the awaited role or the board, with reminders and a timeout.',
    consumer: 'escalation-starter',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Decision.Escalated.v1'] },
  },
  {
    id: 'DecisionWorkflows',
    description:
      'Starts the collaborative-decision workflow of each collaborative decision and the ruling workflow (a task for the ruler) of each hierarchical or human-mode decision, settles the vote requests of those who voted, and resumes the workflow runs waiting on a decision when it is voted on or closes.',
    consumer: 'decision-workflows',
    // Proposals of every mode arrive; the consumer starts a run for collaborative ones only.
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Decision.Proposed.v1', 'Decision.Voted.v1', 'Decision.Completed.v1'] },
  },
  {
    id: 'ApprovalEffects',
    description:
      'Applies what an approved decision commits the organization to (a budget ceiling or allocation, a change window, a hire drawn on its budget), once per decision id, records the link, and tells the initiator how the request ended (Outcome.Reported.v1 and one message).',
    consumer: 'approval-effects',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Decision.Completed.v1'] },
  },
];
