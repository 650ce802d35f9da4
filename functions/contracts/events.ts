import * as z from 'zod';
import { AGENT_ROLES, ENDPOINTS } from './roles.js';

/**
 * Event contracts: every event on Conclave's bus. The detail-type carries a
 * major version (`Agent.Heartbeat.v1`); a breaking change adds a new
 * detail-type and keeps publishing the old one until consumers have moved.
 * Producers validate `detail` before publishing (`buildEvent`); consumers
 * parse it with the same schema (`parseDetail`). docs/events.md is generated
 * from this module.
 */
export const EVENT_SOURCE = 'conclave';
/** The source integrators use for events they send in (e.g. an alert that opens an incident). */
export const INTEGRATION_SOURCE = 'conclave.integration';

/** Fields every Conclave detail carries. */
const envelope = {
  tenant_id: z.string().min(1).max(63),
  correlation_id: z.string().min(1).max(128),
  occurred_at: z.iso.datetime(),
};

const role = z.enum(AGENT_ROLES);
const endpoint = z.enum(ENDPOINTS);
const agentStatus = z.enum(['running', 'idle', 'stale', 'error']);

export const CHANNELS = ['all', 'leadership'] as const;
export const MESSAGE_TYPES = ['request', 'response', 'notification', 'escalation'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** Message content limit: keeps every event well under EventBridge's 256 KB. */
export const MAX_CONTENT_CHARS = 32_000;

const decisionMode = z.enum(['autonomous', 'collaborative', 'hierarchical', 'human']);
const decisionStatus = z.enum(['pending', 'approved', 'rejected', 'escalated', 'expired']);

interface Contract<S extends z.ZodObject> {
  /** Who publishes it. */
  readonly source: string;
  /** When it is published. */
  readonly description: string;
  readonly schema: S;
  /** A valid example detail (docs and tests parse it). */
  readonly example: z.infer<S>;
}

function contract<S extends z.ZodObject>(c: Contract<S>): Contract<S> {
  return c;
}

const base = { tenant_id: 'acme', correlation_id: '5f0c1c9e-3f7a-4c55-9d2e-1b2f3c4d5e6f', occurred_at: '2026-11-21T10:00:00.000Z' };

export const EVENT_CONTRACTS = {
  'Message.Sent.v1': contract({
    source: EVENT_SOURCE,
    description: 'A role sent a message to a role, the board or a channel; `recipients` is the resolved list of inboxes.',
    schema: z.object({
      ...envelope,
      message_id: z.string().min(1),
      from: endpoint,
      to: z.union([endpoint, z.enum(CHANNELS)]),
      recipients: z.array(endpoint).min(1),
      type: z.enum(MESSAGE_TYPES),
      priority: z.enum(PRIORITIES),
      subject: z.string().min(1).max(200),
      content: z.string().min(1).max(MAX_CONTENT_CHARS),
      thread_id: z.string().min(1),
      reply_to: z.string().nullable(),
    }),
    example: {
      ...base,
      message_id: '01jd0m8q3e5h7k9n2p4r6t8v0x',
      from: 'product_manager',
      to: 'leadership',
      recipients: ['ceo', 'cto', 'chro', 'operations_head'],
      type: 'request',
      priority: 'high',
      subject: 'Q3 roadmap review',
      content: 'Please review the attached roadmap before Friday.',
      thread_id: '01jd0m8q3e5h7k9n2p4r6t8v0x',
      reply_to: null,
    },
  }),
  'Decision.Proposed.v1': contract({
    source: EVENT_SOURCE,
    description: 'A decision was proposed.',
    schema: z.object({
      ...envelope,
      decision_id: z.string().min(1),
      decision_type: z.string().min(1),
      mode: decisionMode,
      initiator: role,
      participants: z.array(endpoint),
      amount: z.number().nonnegative().nullable(),
      deadline: z.iso.datetime().nullable(),
    }),
    example: {
      ...base,
      decision_id: '01jd0n1a2b3c4d5e6f7g8h9j0k',
      decision_type: 'technology_adoption',
      mode: 'collaborative',
      initiator: 'cto',
      participants: ['cto', 'senior_architect', 'senior_developer'],
      amount: 40000,
      deadline: '2026-11-24T17:00:00.000Z',
    },
  }),
  'Decision.VoteRequired.v1': contract({
    source: EVENT_SOURCE,
    description: 'A participant must vote on a collaborative decision (one event per participant).',
    schema: z.object({ ...envelope, decision_id: z.string().min(1), participant: endpoint, initiator: role, context: z.string(), deadline: z.iso.datetime().nullable() }),
    example: {
      ...base,
      decision_id: '01jd0n1a2b3c4d5e6f7g8h9j0k',
      participant: 'senior_developer',
      initiator: 'cto',
      context: 'Adopt PostgreSQL 17 for the billing service',
      deadline: '2026-11-24T17:00:00.000Z',
    },
  }),
  'Decision.Voted.v1': contract({
    source: EVENT_SOURCE,
    description: 'A participant voted.',
    schema: z.object({ ...envelope, decision_id: z.string().min(1), voter: endpoint, vote: z.enum(['approve', 'reject', 'abstain']), confidence: z.number().min(0).max(1) }),
    example: { ...base, decision_id: '01jd0n1a2b3c4d5e6f7g8h9j0k', voter: 'senior_architect', vote: 'approve', confidence: 0.8 },
  }),
  'Decision.Completed.v1': contract({
    source: EVENT_SOURCE,
    description: 'A decision closed as approved, rejected or expired (published exactly once per decision).',
    schema: z.object({ ...envelope, decision_id: z.string().min(1), status: decisionStatus, consensus_score: z.number().min(0).max(1).nullable(), outcome: z.string() }),
    example: { ...base, decision_id: '01jd0n1a2b3c4d5e6f7g8h9j0k', status: 'approved', consensus_score: 0.78, outcome: 'approved by 3 of 3 votes' },
  }),
  'Decision.Escalated.v1': contract({
    source: EVENT_SOURCE,
    description: 'A decision or commitment went above authority, tied, or missed quorum, and moved up the chain.',
    schema: z.object({ ...envelope, decision_id: z.string().min(1), escalation_id: z.string().min(1), from: endpoint, to: endpoint, reason: z.string(), amount: z.number().nonnegative().nullable() }),
    example: {
      ...base,
      decision_id: '01jd0n1a2b3c4d5e6f7g8h9j0k',
      escalation_id: '01jd0n9z8y7x6w5v4u3t2s1r0q',
      from: 'ceo',
      to: 'board',
      reason: 'budget 1,500,000 exceeds the CEO authority of 1,000,000',
      amount: 1_500_000,
    },
  }),
  'Task.Created.v1': contract({
    source: EVENT_SOURCE,
    description: "A task was put in a role's (or the board's) task list, usually by a workflow waiting on it.",
    schema: z.object({ ...envelope, task_id: z.string().min(1), assignee: endpoint, kind: z.enum(['approval', 'work']), title: z.string(), run_id: z.string().nullable(), due_at: z.iso.datetime().nullable() }),
    example: {
      ...base,
      task_id: '01jd0p0a1b2c3d4e5f6g7h8j9k',
      assignee: 'cto',
      kind: 'approval',
      title: 'Architecture review: checkout redesign',
      run_id: '01jd0p0z9y8x7w6v5u4t3s2r1q',
      due_at: '2026-11-22T10:00:00.000Z',
    },
  }),
  'Task.Completed.v1': contract({
    source: EVENT_SOURCE,
    description: 'A task was completed (approve/reject for approvals, done/failed for work).',
    schema: z.object({ ...envelope, task_id: z.string().min(1), assignee: endpoint, outcome: z.enum(['approve', 'reject', 'done', 'failed']), run_id: z.string().nullable() }),
    example: { ...base, task_id: '01jd0p0a1b2c3d4e5f6g7h8j9k', assignee: 'cto', outcome: 'approve', run_id: '01jd0p0z9y8x7w6v5u4t3s2r1q' },
  }),
  'Workflow.Started.v1': contract({
    source: EVENT_SOURCE,
    description: 'A workflow run started.',
    schema: z.object({ ...envelope, run_id: z.string().min(1), workflow: z.string().min(1), initiator: endpoint }),
    example: { ...base, run_id: '01jd0p0z9y8x7w6v5u4t3s2r1q', workflow: 'feature_development', initiator: 'product_manager' },
  }),
  'Workflow.StageChanged.v1': contract({
    source: EVENT_SOURCE,
    description: 'A workflow run moved to a new stage.',
    schema: z.object({ ...envelope, run_id: z.string().min(1), workflow: z.string().min(1), stage: z.string().min(1), waiting_on: endpoint.nullable() }),
    example: { ...base, run_id: '01jd0p0z9y8x7w6v5u4t3s2r1q', workflow: 'feature_development', stage: 'architecture_review', waiting_on: 'cto' },
  }),
  'Workflow.Completed.v1': contract({
    source: EVENT_SOURCE,
    description: 'A workflow run ended: succeeded, failed (with its cause) or timed out.',
    schema: z.object({ ...envelope, run_id: z.string().min(1), workflow: z.string().min(1), status: z.enum(['succeeded', 'failed', 'timed_out']), cause: z.string().nullable() }),
    example: { ...base, run_id: '01jd0p0z9y8x7w6v5u4t3s2r1q', workflow: 'feature_development', status: 'succeeded', cause: null },
  }),
  'Outcome.Reported.v1': contract({
    source: EVENT_SOURCE,
    description:
      'How a request ended, reported once to whoever asked: a decision, escalation, hire or budget request (approved, rejected or expired, by whom and why) ' +
      'or a workflow run (succeeded, failed or timed out). The initiator gets one outcome message with the same content; integrators route this event (e.g. to Slack). ' +
      '`applied` names what an approval put into effect (e.g. the budget allocation), once, keyed on the decision id.',
    schema: z.object({
      ...envelope,
      subject: z.enum(['decision', 'workflow_run']),
      subject_id: z.string().min(1),
      kind: z.string().min(1).max(100),
      initiator: endpoint,
      status: z.enum(['approved', 'rejected', 'expired', 'succeeded', 'failed', 'timed_out']),
      decided_by: endpoint.nullable(),
      reason: z.string().max(2000),
      applied: z.string().max(500).nullable(),
    }),
    example: {
      ...base,
      subject: 'decision',
      subject_id: '01jd0p0k2m3n4p5q6r7s8t9v0w',
      kind: 'budget_allocation',
      initiator: 'ceo',
      status: 'approved',
      decided_by: 'board',
      reason: 'approved by board: fits the plan',
      applied: 'allocated 1,500,000 USD to engineering for 2027-Q2 (allocation 01jd0p0k2m3n4p5q6r7s8t9v0w)',
    },
  }),
  'Memory.Stored.v1': contract({
    source: EVENT_SOURCE,
    description: 'A memory was stored or updated (content is not included; read it with get_memory).',
    schema: z.object({ ...envelope, key: z.string().min(1), author: endpoint, tags: z.array(z.string()), created: z.boolean() }),
    example: { ...base, key: 'postmortem/2026-11-20-checkout-outage', author: 'operations_head', tags: ['postmortem', 'checkout'], created: true },
  }),
  'Memory.Forgotten.v1': contract({
    source: EVENT_SOURCE,
    description: 'A memory was deleted.',
    schema: z.object({ ...envelope, key: z.string().min(1), author: endpoint }),
    example: { ...base, key: 'draft/old-plan', author: 'ceo' },
  }),
  'Org.ChartChanged.v1': contract({
    source: EVENT_SOURCE,
    description:
      "The tenant's org chart changed (the board's set_authority / set_reports_to, or an operator's `npm run org`): one role's authority limit or reporting line, with the chart's new revision.",
    schema: z.object({
      ...envelope,
      role,
      field: z.enum(['authority_usd', 'reports_to']),
      previous: z.union([z.number(), z.string()]),
      value: z.union([z.number(), z.string()]),
      revision: z.number().int().min(1),
      changed_by: z.string().min(1).max(200).describe('The key id of the board member, or operator:<name>.'),
    }),
    example: { ...base, role: 'cto', field: 'authority_usd', previous: 500_000, value: 750_000, revision: 1, changed_by: 'k_01jd0p0z9y8x7w6v' },
  }),
  'Agent.Heartbeat.v1': contract({
    source: EVENT_SOURCE,
    description: "A role's agent reported it is alive.",
    schema: z.object({ ...envelope, role, status: agentStatus, previous_status: agentStatus.nullable(), version: z.string().nullable(), capabilities: z.array(z.string()) }),
    example: { ...base, role: 'cto', status: 'running', previous_status: 'idle', version: 'claude-code/2.1', capabilities: ['architecture', 'security-review'] },
  }),
  'Integration.Alert.v1': contract({
    source: INTEGRATION_SOURCE,
    description:
      'Sent IN by an integrator (e.g. a monitoring alarm): becomes an escalation message to the operations head, or to the whole leadership for severity 1.',
    schema: z.object({
      tenant_id: z.string().min(1).max(63),
      severity: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
      title: z.string().min(1).max(200),
      description: z.string().max(MAX_CONTENT_CHARS).default(''),
      alert_id: z.string().min(1).max(200),
      correlation_id: z.string().min(1).max(128).optional(),
    }),
    example: { tenant_id: 'acme', severity: 1, title: 'Checkout 5xx rate above 5%', description: 'CloudWatch alarm checkout-5xx is in ALARM', alert_id: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:checkout-5xx' },
  }),
} as const;

export type DetailType = keyof typeof EVENT_CONTRACTS;

/** An event as EventBridge delivers it to a target (the fields consumers rely on). */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: unknown;
}
export type EventDetail<T extends DetailType> = z.infer<(typeof EVENT_CONTRACTS)[T]['schema']>;

/** Validates a detail against its contract before publishing; throws a ZodError naming the bad fields. */
export function buildEvent<T extends DetailType>(detailType: T, detail: EventDetail<T>): { detailType: T; detail: EventDetail<T> } {
  return { detailType, detail: EVENT_CONTRACTS[detailType].schema.parse(detail) as EventDetail<T> };
}

/** Parses a received detail with its contract (consumers); throws a ZodError on a malformed event. */
export function parseDetail<T extends DetailType>(detailType: T, detail: unknown): EventDetail<T> {
  return EVENT_CONTRACTS[detailType].schema.parse(detail) as EventDetail<T>;
}
