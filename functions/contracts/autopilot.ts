import { EVENT_SOURCE } from './events.js';

/**
 * Autopilot contracts: what wakes a role's agent, the defaults of its
 * setting, the bus rule its consumer listens on and the metric names its
 * alarms read. Imported by the CDK stack (lib/), the local bus and the core.
 */

/** What can wake a role's agent: a task assigned to it, a vote it must cast, a `request` message addressed to it. */
export const AUTOPILOT_TRIGGERS = ['task_assigned', 'vote_required', 'request_message'] as const;
export type AutopilotTrigger = (typeof AUTOPILOT_TRIGGERS)[number];

/** Defaults of a role's setting when `set_autopilot` does not name them. */
export const AUTOPILOT_DEFAULTS = {
  /** A Claude model on Bedrock that supports the Converse API with tool use. */
  modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
  maxSteps: 12,
  /** Tokens (input + output) per tenant per UTC day, across every role. */
  dailyTokenBudget: 500_000,
  triggers: AUTOPILOT_TRIGGERS,
} as const;

export const AUTOPILOT_LIMITS = {
  maxSteps: 50,
  dailyTokenBudget: 100_000_000,
} as const;

/** Model ids: Bedrock model or inference-profile ids, or a local server's model name (e.g. `llama3.1:8b`). */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/** The principal name an agent acts under: `autopilot:<role>` (never human). */
export function autopilotPrincipal(role: string): string {
  return `autopilot:${role}`;
}

/**
 * The bus rule of the autopilot consumer: the three trigger events. The CDK
 * stack deploys exactly this pattern (its own Lambda function) and the local
 * bus routes with it. Only `request` messages wake an agent.
 */
export const AUTOPILOT_RULE = {
  id: 'Autopilot',
  description: "Wakes a role's autopilot agent on a task assigned to it, a vote it must cast or a request message addressed to it.",
  pattern: {
    source: [EVENT_SOURCE],
    $or: [
      { 'detail-type': ['Task.Created.v1', 'Decision.VoteRequired.v1'] },
      { 'detail-type': ['Message.Sent.v1'], detail: { type: ['request'] } },
    ],
  },
} as const;

/** Metric names of the autopilot (namespace `Conclave`, dimension `role`). */
export const AUTOPILOT_METRIC = {
  /** One per model call. */
  steps: 'AutopilotSteps',
  /** Input + output tokens of each model call. */
  tokens: 'AutopilotTokens',
  /** One per activation that gave up (model failing after retries): the task is left for a person. */
  failures: 'AutopilotFailures',
  /** One per activation refused because the tenant's daily token budget is spent. */
  budgetExhausted: 'AutopilotBudgetExhausted',
  /** One per activation that hit its max steps without finishing. */
  maxSteps: 'AutopilotMaxSteps',
} as const;
