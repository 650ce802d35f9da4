import { EVENT_SOURCE, INTEGRATION_SOURCE } from './events.js';

/** The event consumers: each is a Lambda handler in AWS and an in-process subscriber locally. */
export const CONSUMERS = ['inbox-fanout', 'vote-notifier', 'agent-status', 'inbound-alert'] as const;
export type ConsumerId = (typeof CONSUMERS)[number];

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
    description: 'Turns an alert sent in by an integrator into an escalation to the operations head.',
    consumer: 'inbound-alert',
    pattern: { source: [INTEGRATION_SOURCE], 'detail-type': ['Integration.Alert.v1'] },
  },
];
