import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { ConclaveFunction, type ConclaveFunctionProps } from '../../lib/constructs/conclave-function.js';
import { acknowledgements, arnOf, asList, functionStatements, logicalId, newApp, properties, rawFindings, type Json } from './support.js';

const ENTRY = fileURLToPath(new URL('../../functions/handlers/consumers/inbox-fanout.ts', import.meta.url));

function build(props: Partial<ConclaveFunctionProps> = {}, use?: (fn: ConclaveFunction, s: Stack) => void) {
  const app = newApp();
  const stack = new Stack(app, 'Fn');
  const fn = new ConclaveFunction(stack, 'Thing', { entry: ENTRY, description: 'a test function', serviceName: 'conclave-test', ...props });
  use?.(fn, stack);
  return { app, stack, fn, template: Template.fromStack(stack) };
}

function table(stack: Stack): Table {
  const t = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING } });
  t.addGlobalSecondaryIndex({ indexName: 'gsi1', partitionKey: { name: 'gsi1pk', type: AttributeType.STRING }, projectionType: ProjectionType.ALL });
  return t;
}

describe('ConclaveFunction', () => {
  it('deploys Node.js 22 on arm64 with 512 MB, 30 s, active tracing and the service name by default', () => {
    const { fn, template } = build();
    expect(properties(template, 'AWS::Lambda::Function', logicalId(fn.function))).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      Description: 'a test function',
      Environment: { Variables: { [ENV.serviceName]: 'conclave-test' } },
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
    });
  });

  it('logs to its own log group, retained 30 days by default, and may write there and nowhere else', () => {
    const { fn, template } = build();
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), AssumeRolePolicyDocument: Match.objectLike({}) });
    const statements = functionStatements(template, logicalId(fn.function));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(logicalId(fn.logGroup)) },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
    ]);
  });

  it('takes memory, timeout, retention, removal policy and environment from props', () => {
    const { fn, template } = build({
      memorySize: 1024,
      timeout: Duration.seconds(50),
      logRetention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
      environment: { EXTRA: 'x' },
    });
    expect(properties(template, 'AWS::Lambda::Function', logicalId(fn.function))).toMatchObject({
      MemorySize: 1024,
      Timeout: 50,
      Environment: { Variables: { EXTRA: 'x', [ENV.serviceName]: 'conclave-test' } },
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 7 } });
  });

  it('retries asynchronous invocations into the given dead-letter queue when asked', () => {
    const { fn, template } = build();
    expect(properties(template, 'AWS::Lambda::Function', logicalId(fn.function)).DeadLetterConfig).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);

    const app = newApp();
    const stack = new Stack(app, 'Async');
    const queue = new Queue(stack, 'Dlq');
    const asyncFn = new ConclaveFunction(stack, 'Thing', { entry: ENTRY, description: 'd', serviceName: 's', asyncFailures: { retryAttempts: 2, deadLetterQueue: queue } });
    const t = Template.fromStack(stack);
    expect(properties(t, 'AWS::Lambda::Function', logicalId(asyncFn.function)).DeadLetterConfig).toEqual({ TargetArn: arnOf(logicalId(queue)) });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, Qualifier: '$LATEST' });
    expect(functionStatements(t, logicalId(asyncFn.function))).toContainEqual({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(logicalId(queue)) });
  });

  it('useTable grants exactly the actions of the operations, on the table only when it does not query', () => {
    let tableId = '';
    const { fn, template } = build({}, (f, s) => {
      const t = table(s);
      tableId = logicalId(t);
      f.useTable(t, ['put', 'get', 'put']);
    });
    const dynamo = functionStatements(template, logicalId(fn.function)).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: arnOf(tableId) }]);
    expect((properties(template, 'AWS::Lambda::Function', logicalId(fn.function)).Environment as { Variables: Json }).Variables[ENV.tableName]).toEqual({ Ref: tableId });
  });

  it('useTable adds the indexes by name (no wildcard) when the function queries', () => {
    let tableId = '';
    const { fn, template } = build({}, (f, s) => {
      const t = table(s);
      tableId = logicalId(t);
      f.useTable(t, ['query']);
    });
    const dynamo = functionStatements(template, logicalId(fn.function)).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: [arnOf(tableId), { 'Fn::Join': ['', [arnOf(tableId), '/index/gsi1']] }] }]);
  });

  it('useTable refuses an empty grant', () => {
    expect(() => build({}, (f, s) => f.useTable(table(s), []))).toThrow(/at least one operation/);
  });

  it('useBus names the bus, and grants PutEvents on it only when the function publishes', () => {
    for (const publish of [false, true]) {
      let busId = '';
      const { fn, template } = build({}, (f, s) => {
        const bus = new EventBus(s, 'Bus');
        busId = logicalId(bus);
        f.useBus(bus, { publish });
      });
      expect((properties(template, 'AWS::Lambda::Function', logicalId(fn.function)).Environment as { Variables: Json }).Variables[ENV.eventBusName]).toEqual({ Ref: busId });
      const events = functionStatements(template, logicalId(fn.function)).filter((s) => asList(s.Action).some((a) => a.startsWith('events:')));
      expect(events).toEqual(publish ? [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: arnOf(busId) }] : []);
    }
  });

  it('keeps the logical id a plain Function had at the same path (a deployed function is updated, not replaced)', () => {
    const { fn } = build();
    const plainApp = newApp();
    const plain = new Stack(plainApp, 'Fn');
    const before = new LambdaFn(plain, 'Thing', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = () => {};') });
    expect(logicalId(fn.function)).toBe(logicalId(before));
  });

  it('acknowledges the runtime (L1) and the X-Ray wildcard (IAM5) with reasons, each covering a real finding', () => {
    const { app } = build();
    const acks = acknowledgements(app);
    expect([...acks.keys()].sort()).toEqual(['Fn/Thing/Default AwsSolutions-L1', 'Fn/Thing/Role AwsSolutions-IAM5[Resource::*]']);
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(40);
    const findings = rawFindings(app);
    for (const key of acks.keys()) {
      const [path, rule] = key.split(' ') as [string, string];
      expect(findings.some((f) => f.rule === rule && f.path.startsWith(`${path}/`)), key).toBe(true);
    }
  });
});
