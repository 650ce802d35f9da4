import { App, type CfnResource, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, type CfnTable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { type CfnLogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/contracts/env.js';
import { EVENT_SOURCE } from '../../functions/contracts/events.js';
import { ENDPOINTS } from '../../functions/contracts/roles.js';
import { TABLE_SCHEMA } from '../../functions/contracts/table.js';
import { ConclaveStack, type ConclaveStackProps } from '../../lib/conclave-stack.js';
import { acknowledgements } from './support.js';

/** The feature flags `cdk synth` runs with, so the tests see the same template. */
const CDK_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> })
  .context;

/** An app that skips asset bundling (no esbuild run), with cdk.json's context. */
function newApp(): App {
  return new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
}

function synth(props?: ConclaveStackProps): { app: App; stack: ConclaveStack; template: Template } {
  const app = newApp();
  const stack = new ConclaveStack(app, 'Conclave', props);
  return { app, stack, template: Template.fromStack(stack) };
}

type Json = Record<string, unknown>;

function onlyLogicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids, `exactly one ${type}`).toHaveLength(1);
  return ids[0] as string;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every identity policy attached to the MCP function's role. */
function functionStatements(template: Template, functionId: string): Statement[] {
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as Json;
  const roleId = ((fn.Properties as Json).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((p) => (p as Json).Properties as Json)
    .filter((p) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('ConclaveStack', () => {
  const { stack, template } = synth();
  const tableId = onlyLogicalId(template, 'AWS::DynamoDB::Table');
  const busId = onlyLogicalId(template, 'AWS::Events::EventBus');
  // The bus consumers have functions and log groups too (test/infra/consumers.test.ts).
  const functionId = stack.resolve((stack.mcp.function.node.defaultChild as CfnFunction).logicalId) as string;
  // The web function has its own URL (test/infra/web-function.test.ts).
  const urlId = stack.resolve((stack.mcp.functionUrl.node.defaultChild as CfnResource).logicalId) as string;
  const logGroupId = stack.resolve((stack.mcp.function.logGroup.node.defaultChild as CfnLogGroup).logicalId) as string;

  describe('table', () => {
    it('keys the single table on pk/sk with gsi1 on gsi1pk/gsi1sk projecting ALL', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    });

    it('bills on demand, keeps point-in-time recovery and encrypts with the AWS-managed key', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent(), SSEType: Match.absent() },
      });
    });

    it('expires items through the one shared TTL attribute', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
      });
    });

    it('is retained and deletion-protected by default', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
    });

    it('is deleted with the stack, unprotected, when removalPolicy is DESTROY', () => {
      const destroyed = synth({ removalPolicy: RemovalPolicy.DESTROY }).template;
      destroyed.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
      destroyed.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    });
  });

  describe('bus', () => {
    it('is a custom bus named from the stack', () => {
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'Conclave-bus' });
    });

    it("archives Conclave's own events for 30 days by default", () => {
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
        EventPattern: { source: [EVENT_SOURCE] },
        RetentionDays: 30,
        // An empty KmsKeyIdentifier is rejected in some regions (aws/aws-cdk#37847).
        KmsKeyIdentifier: Match.absent(),
      });
    });
  });

  describe('MCP function', () => {
    it('runs Node.js 22 on arm64 with 1 GB, 30 s and active tracing', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 1024,
        Timeout: 30,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    });

    it('gets its configuration through the shared env var names', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [ENV.tableName]: { Ref: tableId },
            [ENV.eventBusName]: { Ref: busId },
            [ENV.allowedOrigins]: '',
            [ENV.staleAfterSeconds]: '300',
            [ENV.serviceName]: 'conclave-mcp',
          }),
        },
      });
    });

    it('passes props through to the environment and log retention', () => {
      const tuned = synth({
        allowedOrigins: ['https://claude.ai', 'http://localhost:6274'],
        staleAfterSeconds: 120,
        logRetention: RetentionDays.ONE_WEEK,
      }).template;
      tuned.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [ENV.allowedOrigins]: 'https://claude.ai,http://localhost:6274',
            [ENV.staleAfterSeconds]: '120',
          }),
        },
      });
      tuned.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    });

    it('logs to its own retained log group, 30 days by default', () => {
      template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
      template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
    });

    it('is served by a public RESPONSE_STREAM Function URL', () => {
      template.hasResourceProperties('AWS::Lambda::Url', {
        AuthType: 'NONE',
        InvokeMode: 'RESPONSE_STREAM',
        TargetFunctionArn: { 'Fn::GetAtt': [functionId, 'Arn'] },
      });
    });

    it('lets the public invoke the function only through its URL', () => {
      // The bus consumers' functions are invoked by their rules only (test/infra/consumers.test.ts).
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
        .map((p) => (p as Json).Properties as Json)
        .filter((p) => p.Principal === '*' && JSON.stringify(p.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }));
      expect(permissions).toHaveLength(2);
      expect(permissions).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }));
      expect(permissions).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }));
    });
  });

  describe('IAM', () => {
    const statements = functionStatements(template, functionId);
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };

    it('uses no managed policies', () => {
      template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    });

    it('grants exactly the DynamoDB actions the Store adapter sends, on the table and its gsi1 index by name', () => {
      const dynamo = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:BatchGetItem',
            'dynamodb:BatchWriteItem',
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:UpdateItem',
          ],
          Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/gsi1']] }],
        },
      ]);
    });

    it('grants events:PutEvents on the Conclave bus only', () => {
      const events = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('events:')));
      expect(events).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } }]);
    });

    it('grants log writes on its own log group only', () => {
      const logs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
      ]);
    });

    it('grants bedrock:InvokeModel on exactly the configured embedding model, next to the env var naming it', () => {
      const modelArn = (id: string) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, `::foundation-model/${id}`]],
      });
      const bedrock = (s: Statement[]) => s.filter((x) => asList(x.Action).some((a) => a.startsWith('bedrock:')));
      expect(bedrock(statements)).toEqual([{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: modelArn('amazon.titan-embed-text-v2:0') }]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ [ENV.embeddingModelId]: 'amazon.titan-embed-text-v2:0' }) },
      });

      const other = synth({ embeddingModelId: 'amazon.titan-embed-text-v2:1' });
      const otherFunction = other.stack.resolve((other.stack.mcp.function.node.defaultChild as CfnFunction).logicalId) as string;
      expect(bedrock(functionStatements(other.template, otherFunction))).toEqual([
        { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: modelArn('amazon.titan-embed-text-v2:1') },
      ]);
      other.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ [ENV.embeddingModelId]: 'amazon.titan-embed-text-v2:1' }) },
      });
      // No other function of the stack may invoke Bedrock, but the decision-workflows consumer on the same embedding model
      // (it remembers closed decisions) and the autopilot's on its chat models (test/infra/autopilot.test.ts).
      const everyStatement = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (p) => (((p as Json).Properties as Json).PolicyDocument as { Statement: Statement[] }).Statement,
      );
      expect(bedrock(everyStatement)).toHaveLength(3);
      expect(bedrock(everyStatement).filter((x) => JSON.stringify(x.Resource).includes('amazon.titan-embed-text-v2:0'))).toHaveLength(2);
      expect(bedrock(functionStatements(template, stack.resolve((stack.autopilot.function.node.defaultChild as CfnFunction).logicalId) as string))).toEqual([
        { Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: modelArn('anthropic.claude-3-5-haiku-20241022-v1:0') },
      ]);
    });

    it('refuses an embedding model the adapter cannot call', () => {
      expect(() => synth({ embeddingModelId: 'cohere.embed-english-v3' })).toThrow(/not a Titan Text Embeddings v2 model id/);
    });

    it('has no wildcard actions, and Resource "*" only for X-Ray, which has no resource-level permissions', () => {
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asList(statement.Action)) expect(action).not.toContain('*');
        if (asList(statement.Resource).includes('*')) {
          expect(asList(statement.Action).every((a) => a.startsWith('xray:'))).toBe(true);
        }
      }
    });
  });

  describe('outputs', () => {
    const url = { 'Fn::GetAtt': [urlId, 'FunctionUrl'] };

    it('gives the Function URL, the table name and the bus name', () => {
      template.hasOutput('FunctionUrl', { Value: url });
      template.hasOutput('TableName', { Value: { Ref: tableId } });
      const [busId] = Object.keys(template.findResources('AWS::Events::EventBus'));
      template.hasOutput('EventBusName', { Value: { Ref: busId } });
    });

    it('gives one /mcp/<endpoint> URL per endpoint, all ten', () => {
      expect(ENDPOINTS).toHaveLength(10);
      const outputs = Object.values(template.findOutputs('*')).map((o) => (o as Json).Value);
      for (const endpoint of ENDPOINTS) {
        expect(outputs).toContainEqual({ 'Fn::Join': ['', [url, `mcp/${endpoint}`]] });
      }
    });
  });

  it('raises no CDK warnings or errors', () => {
    const { stack } = synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});


describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack', () => {
    const { app } = synth();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('detects a finding when one exists (the check is live)', () => {
    const { app, stack } = synth();
    new Table(stack, 'Unprotected', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const report = new AwsSolutionsChecks().validateScope(app);
    const ddb3 = report.violations.find((v) => v.ruleName === 'AwsSolutions-DDB3');
    expect(ddb3?.violatingResources.map((r) => r.constructPath)).toEqual(['Conclave/Unprotected/Resource']);
  });

  it('acknowledges exactly the expected findings, each with a reason', () => {
    const { app, stack } = synth();
    const tableId = stack.resolve((stack.table.table.node.defaultChild as CfnTable).logicalId) as string;
    // The bus consumers' acknowledgements are asserted in test/infra/consumers.test.ts, the workflows' in test/infra/workflows.test.ts.
    const acks = new Map([...acknowledgements(app)].filter(([key]) => !key.startsWith('Conclave/Consumers/') && !key.startsWith('Conclave/Workflows/')));
    // The custom domain's are asserted in test/infra/custom-domain.test.ts; the alarms and the dashboard need none.
    expect([...acks.keys()].sort()).toEqual(
      [
        'Conclave/Mcp/Function/Default AwsSolutions-L1',
        'Conclave/Mcp/Function/Role AwsSolutions-IAM5[Resource::*]',
        'Conclave/Web/Function/Default AwsSolutions-L1',
        'Conclave/Web/Function/Role AwsSolutions-IAM5[Resource::*]',
        'Conclave/Autopilot/Function/Default AwsSolutions-L1',
        'Conclave/Autopilot/Function/Role AwsSolutions-IAM5[Resource::*]',
        'Conclave/Autopilot/DeliveryDlq AwsSolutions-SQS3',
      ].sort(),
    );
    expect([...acks.keys()].join()).not.toContain(tableId);
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(20);
  });

  it('fails synth on a finding when wired as bin/app.ts wires it, and passes this stack', () => {
    const wired = (extra?: (stack: ConclaveStack) => void): App => {
      const app = newApp();
      const stack = new ConclaveStack(app, 'Conclave');
      extra?.(stack);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      return app;
    };
    expect(() => wired().synth()).not.toThrow();
    const bad = wired((stack) => new Table(stack, 'Unprotected', { partitionKey: { name: 'pk', type: AttributeType.STRING } }));
    expect(() => bad.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});
