import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contracts/observability.js';
import type { ConsumerId } from '../../functions/contracts/rules.js';
import type { MachineId } from '../../functions/contracts/workflows.js';

/**
 * The parts of a Conclave stack whose health the alarms and the dashboard
 * watch, each with a short readable name (used in alarm names and legends).
 */
export interface ConclaveSignals {
  /** The MCP endpoint's function: Function URL metrics (requests, 4xx, 5xx) are on it. */
  readonly mcpFunction: IFunction;
  /** The web function (the console and the OAuth authorization server), when the stack has one. */
  readonly webFunction?: IFunction;
  /** Every Lambda function of the stack, the MCP function included. */
  readonly functions: readonly { readonly name: string; readonly function: IFunction }[];
  /** Every bus consumer (the `consumer` dimension of the EventsProcessed/Failed/Malformed metrics). */
  readonly consumers: readonly ConsumerId[];
  /** Every dead-letter queue of the stack. */
  readonly deadLetterQueues: readonly { readonly name: string; readonly queue: IQueue }[];
  /** Every state machine, by machine id. */
  readonly stateMachines: readonly { readonly machine: MachineId; readonly stateMachine: IStateMachine }[];
  /** The Bedrock model the MCP function embeds with (the `ModelId` of AWS/Bedrock metrics). */
  readonly embeddingModelId: string;
}

/** The period alarms evaluate and graphs aggregate over. */
export const PERIOD = Duration.minutes(5);

/** A metric the MCP function emits per tool call, over every tool and role (the `[service]` dimension set). */
export function toolMetric(name: string, statistic: string = Stats.SUM): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { [DIMENSION.service]: SERVICE_NAME.mcp }, statistic, period: PERIOD });
}

/**
 * A CloudWatch SEARCH over a tool-call metric split by one dimension (one
 * line per tool, or per role): for graphs only — alarms cannot use SEARCH.
 */
export function toolSearch(name: string, by: typeof DIMENSION.tool | typeof DIMENSION.role, statistic: string = Stats.SUM): string {
  const seconds = PERIOD.toSeconds();
  return `SEARCH('{${METRICS_NAMESPACE},${DIMENSION.service},${by}} MetricName="${name}" ${DIMENSION.service}="${SERVICE_NAME.mcp}"', '${statistic}', ${seconds})`;
}

/** A CloudWatch SEARCH over the front door's refusals, one line per limit (graphs only). */
export function rateLimitedByLimit(): string {
  return `SEARCH('{${METRICS_NAMESPACE},${DIMENSION.service},${DIMENSION.limit}} MetricName="${METRIC.rateLimited}" ${DIMENSION.service}="${SERVICE_NAME.mcp}"', 'Sum', ${PERIOD.toSeconds()})`;
}

/** A metric a bus consumer emits per event (dimensions service and consumer, as Powertools Metrics writes them). */
export function consumerMetric(name: string, consumer: ConsumerId): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [DIMENSION.service]: SERVICE_NAME.consumer(consumer), [DIMENSION.consumer]: consumer },
    statistic: Stats.SUM,
    period: PERIOD,
    label: consumer,
  });
}

/** A metric a machine's step function emits per step (dimensions service and machine). */
export function stepMetric(name: string, machine: MachineId): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [DIMENSION.service]: SERVICE_NAME.steps(machine), [DIMENSION.machine]: machine },
    statistic: Stats.SUM,
    period: PERIOD,
    label: machine,
  });
}

/**
 * Bedrock's own count of throttled InvokeModel calls on the embedding model
 * (AWS/Bedrock, dimension ModelId). It counts every caller of that model in
 * the account and region, not only Conclave.
 */
export function bedrockMetric(metricName: 'InvocationThrottles' | 'Invocations', modelId: string): Metric {
  return new Metric({ namespace: 'AWS/Bedrock', metricName, dimensionsMap: { ModelId: modelId }, statistic: Stats.SUM, period: PERIOD });
}
