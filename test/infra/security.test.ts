import { Validations } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CONSUMER_STORE_ACCESS, DYNAMODB_ACTION, STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import { MACHINES } from '../../functions/contracts/workflows.js';
import { ConclaveStack, type ConclaveStackProps } from '../../lib/conclave-stack.js';
import {
  FULL_PROPS,
  acknowledgements,
  asList,
  everyPolicyStatement,
  functionStatements,
  logicalId,
  newApp,
  rawFindings,
  synth,
  unacknowledgedFindings,
  type Json,
} from './support.js';

const VARIANTS: readonly (readonly [string, ConclaveStackProps | undefined])[] = [
  ['default props', undefined],
  ['alarm e-mail and custom domain with a hosted zone', FULL_PROPS],
  ['a Cognito user pool for the consent page (identity=cognito)', { upstreamIdentity: { kind: 'cognito' } }],
  [
    'a trusted OpenID Connect issuer with its client secret, behind the custom domain (identity=oidc)',
    { ...FULL_PROPS, upstreamIdentity: { kind: 'oidc', issuer: 'https://login.example.com', clientId: 'conclave', clientSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:conclave-oidc-AbCdEf' } },
  ],
];

/** Actions that support no resource-level permissions, so `Resource: "*"` is the only form IAM accepts. */
const RESOURCE_WILDCARD_ONLY = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

describe.each(VARIANTS)('security with %s', (_, props) => {
  const { app, stack, template } = synth(props);

  it('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });

  it('acknowledges only findings that exist, each with a specific reason, and covers every finding', () => {
    const findings = rawFindings(app);
    const acks = [...acknowledgements(app)].map(([key, reason]) => {
      const [path, rule] = key.split(' ') as [string, string];
      return { path, rule, reason };
    });
    const covers = (ack: { path: string; rule: string }, f: { path: string; rule: string }) => ack.rule === f.rule && f.path.startsWith(`${ack.path}/`);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.rule} at ${ack.path}`).toBeGreaterThan(40);
      expect(findings.some((f) => covers(ack, f)), `${ack.rule} at ${ack.path} covers a finding`).toBe(true);
    }
    for (const f of findings) expect(acks.some((a) => covers(a, f)), `${f.rule} at ${f.path} is acknowledged`).toBe(true);
  });

  it('fails synth wired as bin/app.ts wires it only on a real finding: this stack passes', () => {
    const wired = newApp();
    new ConclaveStack(wired, 'Conclave', props);
    Validations.of(wired).addPlugins(new AwsSolutionsChecks(wired));
    expect(() => wired.synth()).not.toThrow();
  });

  it('has no wildcard action in any Allow statement of any policy (identity, trust, queue, topic, key)', () => {
    const statements = everyPolicyStatement(template);
    expect(statements.length).toBeGreaterThan(50);
    for (const { resource, statement } of statements) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of asList(statement.Action)) expect(action, `${resource}: ${action}`).not.toContain('*');
    }
  });

  it('uses wildcard actions only to deny requests not sent over TLS', () => {
    for (const { resource, statement } of everyPolicyStatement(template)) {
      if (!asList(statement.Action).some((a) => a.includes('*'))) continue;
      expect(statement, resource).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    }
  });

  it('uses Resource "*" in identity policies only for actions without resource-level permissions', () => {
    for (const { resource, type, statement } of everyPolicyStatement(template)) {
      if (type !== 'AWS::IAM::Policy' || !asList(statement.Resource).includes('*')) continue;
      for (const action of asList(statement.Action)) expect(RESOURCE_WILDCARD_ONLY.has(action), `${resource}: ${action} on *`).toBe(true);
    }
  });

  it('grants each function exactly the table actions of its Store operations, and never Scan, DescribeTable or streams', () => {
    const tableId = logicalId(stack.table.table);
    const expected = (ops: readonly string[]) => [...new Set(ops.map((op) => DYNAMODB_ACTION[op as keyof typeof DYNAMODB_ACTION]))].sort();
    const granted = (fn: Parameters<typeof logicalId>[0]) =>
      functionStatements(template, logicalId(fn))
        .filter((s) => JSON.stringify(s.Resource).includes(tableId))
        .flatMap((s) => asList(s.Action))
        .sort();
    expect(granted(stack.mcp.function)).toEqual(expected(STORE_OPERATIONS));
    for (const m of MACHINES) expect(granted(stack.workflows.machines[m].stepFunction)).toEqual(expected(STORE_OPERATIONS));
    for (const c of stack.consumers.consumers) expect(granted(c.function), c.spec.consumer).toEqual(expected(CONSUMER_STORE_ACCESS[c.spec.consumer]));
    // The notifiers only put inbox entries.
    expect(CONSUMER_STORE_ACCESS['inbox-fanout']).toEqual(['put']);
    const everyAction = everyPolicyStatement(template).flatMap((s) => asList(s.statement.Action));
    for (const never of ['dynamodb:Scan', 'dynamodb:DescribeTable', 'dynamodb:ConditionCheckItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:PartiQLSelect']) {
      expect(everyAction).not.toContain(never);
    }
  });

  it('encrypts at rest everywhere: table (AWS-managed key), queues (SQS-managed), topic (own KMS key), logs (CloudWatch Logs service encryption)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } });
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) expect(((queue as Json).Properties as Json).SqsManagedSseEnabled).toBe(true);
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic'))) expect(((topic as Json).Properties as Json).KmsMasterKeyId).toBeDefined();
    // Log groups are always encrypted by CloudWatch Logs; no customer key (cdk-nag does not require one, and it would cost a key per stack).
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(((group as Json).Properties as Json).KmsKeyId).toBeUndefined();
  });
});

describe('the DynamoDB adapter', () => {
  it('sends exactly the DynamoDB actions the grants are built from (DYNAMODB_ACTION)', () => {
    const source = readFileSync(new URL('../../functions/adapters/aws/dynamo-store.ts', import.meta.url), 'utf8');
    const commands = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] as string))].sort();
    // The adapter sends the client's own commands, each named after the API action it calls.
    expect(commands.map((c) => `dynamodb:${c}`).sort()).toEqual(Object.values(DYNAMODB_ACTION).sort());
  });
});
