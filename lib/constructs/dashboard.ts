import { Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  Stats,
  TextWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DIMENSION, METRIC } from '../../functions/contracts/observability.js';
import { bedrockMetric, consumerMetric, PERIOD, rateLimitedByLimit, stepMetric, toolMetric, toolSearch, type ConclaveSignals } from './signals.js';

export interface ConclaveDashboardProps {
  /** What to show. */
  readonly signals: ConclaveSignals;
  /**
   * Alarms to show in an alarm status widget.
   *
   * @default - none
   */
  readonly alarms?: readonly IAlarm[];
}

const HEIGHT = 6;

/**
 * One CloudWatch dashboard, named after the stack, for the whole of
 * Conclave: MCP tool calls, errors and p95 latency (overall, per tool, per
 * role), the Function URL's requests and 4xx/5xx, Lambda errors and
 * throttles of every function, the depth of every dead-letter queue, the
 * consumers' processed/failed/malformed events, failed and timed-out
 * executions and step failures per state machine, Bedrock throttling of the
 * embedding model, the front door's 429s by limit, and the state of every alarm.
 */
export class ConclaveDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ConclaveDashboardProps) {
    super(scope, id);
    const { signals } = props;
    const stackName = Stack.of(this).stackName;
    const graph = (title: string, width: number, left: IMetric[]): GraphWidget => new GraphWidget({ title, width, height: HEIGHT, left, period: PERIOD });
    const search = (expression: string, label: string) => new MathExpression({ expression, label, period: PERIOD, usingMetrics: {} });
    const fnMetrics = (metric: 'metricErrors' | 'metricThrottles') =>
      signals.functions.map(({ name, function: fn }) => fn[metric]({ statistic: Stats.SUM, period: PERIOD, label: name }));

    const rows: IWidget[][] = [
      [
        new TextWidget({
          width: 24,
          height: 2,
          markdown: `# ${stackName}\nMCP tool calls (namespace \`Conclave\`, from the per-call records of the MCP function), the bus, the workflows and the embedding model. Alarms e-mail the \`${stackName}-alarms\` topic.`,
        }),
      ],
      [
        graph('Tool calls and tool errors', 8, [
          toolMetric(METRIC.toolCalls).with({ label: 'calls' }),
          toolMetric(METRIC.toolErrors).with({ label: 'errors (isError results)' }),
        ]),
        graph('Tool latency (ms)', 8, [
          toolMetric(METRIC.toolLatency, Stats.p(95)).with({ label: 'p95' }),
          toolMetric(METRIC.toolLatency, Stats.p(50)).with({ label: 'p50' }),
        ]),
        graph('MCP Function URL: requests, 4xx, 5xx', 8, [
          signals.mcpFunction.metric('UrlRequestCount', { statistic: Stats.SUM, period: PERIOD, label: 'requests' }),
          signals.mcpFunction.metric('Url4xxCount', { statistic: Stats.SUM, period: PERIOD, label: '4xx' }),
          signals.mcpFunction.metric('Url5xxCount', { statistic: Stats.SUM, period: PERIOD, label: '5xx' }),
        ]),
      ],
      [
        graph('Tool errors by tool', 8, [search(toolSearch(METRIC.toolErrors, DIMENSION.tool), '')]),
        graph('p95 tool latency by tool (ms)', 8, [search(toolSearch(METRIC.toolLatency, DIMENSION.tool, Stats.p(95)), '')]),
        graph('Tool calls by role', 8, [search(toolSearch(METRIC.toolCalls, DIMENSION.role), '')]),
      ],
      [graph('Lambda errors', 12, fnMetrics('metricErrors')), graph('Lambda throttles', 12, fnMetrics('metricThrottles'))],
      [
        graph('Front door: requests refused with 429', 12, [toolMetric(METRIC.rateLimited).with({ label: 'all limits' })]),
        graph('429s by limit', 12, [search(rateLimitedByLimit(), '')]),
      ],
      [
        graph(
          'Dead-letter queue depth (messages waiting)',
          8,
          signals.deadLetterQueues.map(({ name, queue }) => queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: PERIOD, label: name })),
        ),
        graph('Events processed by consumer', 8, signals.consumers.map((c) => consumerMetric(METRIC.eventsProcessed, c))),
        graph('Events failed or malformed by consumer', 8, [
          ...signals.consumers.map((c) => consumerMetric(METRIC.eventsFailed, c).with({ label: `${c} failed` })),
          ...signals.consumers.map((c) => consumerMetric(METRIC.eventsMalformed, c).with({ label: `${c} malformed` })),
        ]),
      ],
      [
        graph(
          'Executions failed',
          8,
          signals.stateMachines.map(({ machine, stateMachine }) => stateMachine.metricFailed({ statistic: Stats.SUM, period: PERIOD, label: machine })),
        ),
        graph(
          'Executions timed out',
          8,
          signals.stateMachines.map(({ machine, stateMachine }) => stateMachine.metricTimedOut({ statistic: Stats.SUM, period: PERIOD, label: machine })),
        ),
        graph('Step failures', 8, signals.stateMachines.map(({ machine }) => stepMetric(METRIC.stepFailures, machine))),
      ],
      [
        graph(`Bedrock ${signals.embeddingModelId}`, 12, [
          bedrockMetric('InvocationThrottles', signals.embeddingModelId).with({ label: 'throttled' }),
          bedrockMetric('Invocations', signals.embeddingModelId).with({ label: 'invocations' }),
        ]),
        ...(props.alarms?.length ? [new AlarmStatusWidget({ title: 'Alarms', width: 12, height: HEIGHT, alarms: [...props.alarms] })] : []),
      ],
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: stackName, widgets: rows });
  }
}
