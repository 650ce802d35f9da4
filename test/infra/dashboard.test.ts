import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contracts/observability.js';
import { CONSUMERS } from '../../functions/contracts/rules.js';
import { MACHINES } from '../../functions/contracts/workflows.js';
import { FULL_PROPS, logicalId, renderIntrinsics, synth, type Json } from './support.js';

interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; markdown?: string };
}

/** The dashboard's widgets, from its body with intrinsic references rendered as `${logicalId}`. */
function widgets(template: Template): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map((d) => (d as Json).Properties as Json);
  expect(dashboards).toHaveLength(1);
  return (JSON.parse(renderIntrinsics((dashboards[0] as Json).DashboardBody)) as { widgets: Widget[] }).widgets;
}

function widget(all: Widget[], title: string): Widget {
  const found = all.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}"; have ${all.map((w) => w.properties.title).join(' | ')}`);
  return found;
}

/** A widget's metric lines as readable strings: `namespace metric dim value… stat` (dimensions by name), or the expression. */
function lines(w: Widget): string[] {
  return (w.properties.metrics ?? []).map((m) => {
    const last = m[m.length - 1];
    const options = (typeof last === 'object' && last !== null ? last : {}) as { expression?: string; stat?: string };
    if (options.expression) return options.expression;
    const parts = m.filter((p) => typeof p === 'string') as string[];
    const [namespace, name, ...dims] = parts.filter((p) => p !== '.');
    const pairs = Array.from({ length: dims.length / 2 }, (_, i) => `${dims[2 * i]} ${dims[2 * i + 1]}`).sort();
    return `${namespace} ${name} ${pairs.join(' ')} ${options.stat ?? ''}`.trim();
  });
}

describe('ConclaveDashboard', () => {
  const { stack, template } = synth();
  const all = widgets(template);

  it('is one dashboard named after the stack, with a link in the outputs', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Conclave' });
    expect(JSON.stringify(template.findOutputs('DashboardUrl'))).toContain('#dashboards/dashboard/');
  });

  it('graphs tool calls, tool errors and p95 tool latency from the MCP function\'s metrics', () => {
    const mcp = `${METRICS_NAMESPACE} %s service ${SERVICE_NAME.mcp}`;
    expect(lines(widget(all, 'Tool calls and tool errors'))).toEqual([`${mcp.replace('%s', METRIC.toolCalls)} Sum`, `${mcp.replace('%s', METRIC.toolErrors)} Sum`]);
    expect(lines(widget(all, 'Tool latency (ms)'))).toEqual([`${mcp.replace('%s', METRIC.toolLatency)} p95`, `${mcp.replace('%s', METRIC.toolLatency)} p50`]);
    expect(lines(widget(all, 'Tool errors by tool'))[0]).toContain(`MetricName="${METRIC.toolErrors}"`);
    expect(lines(widget(all, 'p95 tool latency by tool (ms)'))[0]).toMatch(/^SEARCH\('\{Conclave,service,tool\} MetricName="ToolLatency" service="conclave-mcp"', 'p95', 300\)$/);
    expect(lines(widget(all, 'Tool calls by role'))[0]).toContain('{Conclave,service,role}');
  });

  it('graphs the Function URL\'s requests, 4xx and 5xx', () => {
    const fn = `\${${logicalId(stack.mcp.function)}}`;
    expect(lines(widget(all, 'MCP Function URL: requests, 4xx, 5xx'))).toEqual(
      ['UrlRequestCount', 'Url4xxCount', 'Url5xxCount'].map((m) => `AWS/Lambda ${m} FunctionName ${fn} Sum`),
    );
  });

  it('graphs Lambda errors and throttles of every function', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    for (const [title, metric] of [
      ['Lambda errors', 'Errors'],
      ['Lambda throttles', 'Throttles'],
    ] as const) {
      expect(lines(widget(all, title)).sort()).toEqual(functions.map((id) => `AWS/Lambda ${metric} FunctionName \${${id}} Sum`).sort());
    }
  });

  it('graphs the depth of every dead-letter queue', () => {
    const queues = [...stack.consumers.deadLetterQueues, stack.autopilot.deliveryDeadLetterQueue, stack.autopilot.processingDeadLetterQueue].map((q) => `AWS/SQS ApproximateNumberOfMessagesVisible QueueName \${${logicalId(q)}.QueueName} Maximum`);
    expect(queues).toHaveLength(Object.keys(template.findResources('AWS::SQS::Queue')).length);
    expect(lines(widget(all, 'Dead-letter queue depth (messages waiting)')).sort()).toEqual(queues.sort());
  });

  it('graphs each consumer\'s processed, failed and malformed events', () => {
    const consumer = (metric: string, c: (typeof CONSUMERS)[number]) => `${METRICS_NAMESPACE} ${metric} consumer ${c} service ${SERVICE_NAME.consumer(c)} Sum`;
    expect(lines(widget(all, 'Events processed by consumer'))).toEqual(CONSUMERS.map((c) => consumer(METRIC.eventsProcessed, c)));
    expect(lines(widget(all, 'Events failed or malformed by consumer'))).toEqual([
      ...CONSUMERS.map((c) => consumer(METRIC.eventsFailed, c)),
      ...CONSUMERS.map((c) => consumer(METRIC.eventsMalformed, c)),
    ]);
  });

  it('graphs failed and timed-out executions and step failures per state machine', () => {
    const machine = (m: (typeof MACHINES)[number]) => `\${${logicalId(stack.workflows.machines[m].stateMachine)}}`;
    expect(lines(widget(all, 'Executions failed'))).toEqual(MACHINES.map((m) => `AWS/States ExecutionsFailed StateMachineArn ${machine(m)} Sum`));
    expect(lines(widget(all, 'Executions timed out'))).toEqual(MACHINES.map((m) => `AWS/States ExecutionsTimedOut StateMachineArn ${machine(m)} Sum`));
    expect(lines(widget(all, 'Step failures'))).toEqual(MACHINES.map((m) => `${METRICS_NAMESPACE} ${METRIC.stepFailures} machine ${m} service ${SERVICE_NAME.steps(m)} Sum`));
  });

  it('graphs Bedrock throttles of the configured model', () => {
    expect(lines(widget(all, 'Bedrock amazon.titan-embed-text-v2:0'))).toEqual([
      'AWS/Bedrock InvocationThrottles ModelId amazon.titan-embed-text-v2:0 Sum',
      'AWS/Bedrock Invocations ModelId amazon.titan-embed-text-v2:0 Sum',
    ]);
  });

  it('shows the state of every alarm', () => {
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(widget(all, 'Alarms').properties.alarms?.sort()).toEqual(alarmIds.map((id) => `\${${id}.Arn}`).sort());
  });

  it('is the same dashboard with every optional prop set', () => {
    expect(widgets(synth(FULL_PROPS).template).map((w) => w.properties.title)).toEqual(all.map((w) => w.properties.title));
  });
});
