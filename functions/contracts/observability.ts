import type { ConsumerId } from './rules.js';
import type { MachineId } from './workflows.js';

/**
 * Observability names shared by the runtime (which emits the metrics, in
 * CloudWatch embedded metric format) and the CDK stack (whose dashboard and
 * alarms read them), so a renamed metric cannot silently empty a graph.
 */

/** The CloudWatch namespace of every metric Conclave emits. */
export const METRICS_NAMESPACE = 'Conclave';

/** Metric names. Units: `Count` unless noted. */
export const METRIC = {
  /** One per MCP tool call (dimensions: service; service+tool; service+role). */
  toolCalls: 'ToolCalls',
  /** 1 when the call ended as an `isError` result (domain or internal error), else 0. */
  toolErrors: 'ToolErrors',
  /** Milliseconds from the call reaching the tool wrapper to its result. */
  toolLatency: 'ToolLatency',
  /** One per bus event a consumer processed (dimensions: service+consumer). */
  eventsProcessed: 'EventsProcessed',
  /** One per processing attempt that failed for another reason than a malformed event (each Lambda retry counts). */
  eventsFailed: 'EventsFailed',
  /** One per attempt on an event that does not match its contract (it ends in the processing dead-letter queue). */
  eventsMalformed: 'EventsMalformed',
  /** 1 when a workflow step threw (the machine's Retry/Catch takes over), else 0 (dimensions: service+machine). */
  stepFailures: 'StepFailures',
  /** One per request the front door refused with 429 (dimensions: service; service+limit). */
  rateLimited: 'RateLimited',
} as const;

/** Dimension names. High-cardinality values (tenant, correlation id, run id) are record keys, never dimensions. */
export const DIMENSION = {
  service: 'service',
  tool: 'tool',
  role: 'role',
  consumer: 'consumer',
  machine: 'machine',
  /** Which front-door limit refused a request (key_per_minute, tenant_per_minute, daily_tool_calls). */
  limit: 'limit',
} as const;

/**
 * The dimension sets of the tool-call metrics: overall, per tool and per
 * endpoint role. Not tool × role: every distinct combination is a billed
 * CloudWatch metric, and the per-call records (with tenant and correlation id)
 * answer finer questions in Logs Insights.
 */
export const TOOL_DIMENSION_SETS: readonly (readonly string[])[] = [[], [DIMENSION.tool], [DIMENSION.role]];

/** `POWERTOOLS_SERVICE_NAME` of each function: the `service` key of its logs, metrics and traces. */
export const SERVICE_NAME = {
  mcp: 'conclave-mcp',
  web: 'conclave-web',
  autopilot: 'conclave-autopilot',
  consumer: (consumer: ConsumerId): string => `conclave-${consumer}`,
  steps: (machine: MachineId): string => `conclave-${machine.replace(/_/g, '-')}-steps`,
} as const;

/** A caller-supplied `x-correlation-id` we carry on (letters, digits, `._:-`, at most 128); anything else is replaced. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's correlation id: the presented one when well-formed, else `fallback()` (a fresh id). */
export function correlationIdOf(presented: string | null | undefined, fallback: () => string): string {
  return presented && CORRELATION_ID.test(presented) ? presented : fallback();
}
