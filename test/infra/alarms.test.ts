import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../functions/contracts/rules.js';
import { MACHINES } from '../../functions/contracts/workflows.js';
import { FULL_PROPS, arnOf, asList, logicalId, properties, synth, type Json, type Statement } from './support.js';

type Alarm = Json & { AlarmName: string; AlarmActions: unknown[]; OKActions: unknown[]; Metrics?: Json[] };

function alarms(template: Template): Alarm[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as Json).Properties as Alarm);
}

function alarmNamed(template: Template, name: string): Alarm {
  const found = alarms(template).find((a) => a.AlarmName === name);
  if (!found) throw new Error(`no alarm ${name}; have ${alarms(template).map((a) => a.AlarmName).join(', ')}`);
  return found;
}

describe('ConclaveAlarms', () => {
  const { stack, template } = synth();
  const topicId = logicalId(stack.alarms.topic);
  const keyId = logicalId(stack.alarms.key);

  describe('topic', () => {
    it('is encrypted with its own rotating KMS key, deleted after 7 days with the stack', () => {
      expect(properties(template, 'AWS::SNS::Topic', topicId)).toMatchObject({ TopicName: 'Conclave-alarms', KmsMasterKeyId: arnOf(keyId) });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 } });
    });

    it('refuses publishing without TLS and lets only this stack\'s alarms publish', () => {
      const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).map((p) => (p as Json).Properties as Json);
      expect(policies).toHaveLength(1);
      const statements = ((policies[0] as Json).PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: topicId } });
      expect(JSON.stringify(allows[0]?.Condition)).toContain(':alarm:Conclave-*');
      expect(JSON.stringify(allows[0]?.Condition)).toContain('aws:SourceAccount');
    });

    it('has a key policy with listed actions: administration for the account, Decrypt/GenerateDataKey for CloudWatch alarms of this stack', () => {
      const statements = ((properties(template, 'AWS::KMS::Key', keyId).KeyPolicy as Json).Statement as Statement[]);
      expect(statements.map((s) => s.Sid)).toEqual(['KeyAdministration', 'AccountUse', 'CloudWatchAlarmsPublish']);
      for (const s of statements) for (const a of asList(s.Action)) expect(a).not.toContain('*');
      const cloudwatch = statements.find((s) => s.Sid === 'CloudWatchAlarmsPublish') as Statement;
      expect(cloudwatch).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'] });
      expect(JSON.stringify(cloudwatch.Condition)).toContain(':alarm:Conclave-*');
    });

    it('has no subscription unless an alarm e-mail is given, then exactly that one', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      const withEmail = synth({ alarmEmail: 'ops@example.com' }).template;
      withEmail.resourceCountIs('AWS::SNS::Subscription', 1);
      withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
    });

    it('refuses an alarm e-mail that is not an address', () => {
      expect(() => synth({ alarmEmail: 'ops at example' })).toThrow(/not an e-mail address/);
    });

    it('is an output', () => {
      template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
    });
  });

  describe('alarms', () => {
    it('notify the topic on ALARM and on OK, evaluate 5-minute periods and treat missing data as fine', () => {
      const all = alarms(template);
      // Per consumer two DLQs; per function its errors (the web function's and the autopilot's included); per machine its
      // failures; five more (the web function's throttles among them); the autopilot's two DLQs, its failures and its spent budgets.
      expect(all.length).toBe(2 * RULES.length + (2 + RULES.length + MACHINES.length + 1) + MACHINES.length + 5 + 4);
      for (const a of all) {
        expect(a.AlarmName.startsWith('Conclave-'), a.AlarmName).toBe(true);
        expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(a.OKActions).toEqual([{ Ref: topicId }]);
        expect(a.TreatMissingData).toBe('notBreaching');
        expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
        expect(String(a.AlarmDescription).length).toBeGreaterThan(40);
        if (a.Period !== undefined) expect(a.Period).toBe(300);
      }
      expect(new Set(all.map((a) => a.AlarmName)).size).toBe(all.length);
    });

    it('fire on any message in any dead-letter queue', () => {
      for (const consumer of stack.consumers.consumers) {
        for (const [kind, queue] of [
          ['delivery', consumer.deliveryDeadLetterQueue],
          ['processing', consumer.processingDeadLetterQueue],
        ] as const) {
          expect(alarmNamed(template, `Conclave-dlq-${consumer.spec.consumer}-${kind}`)).toMatchObject({
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }],
            Statistic: 'Maximum',
            Threshold: 1,
            EvaluationPeriods: 1,
          });
        }
      }
    });

    it('fire on 5 or more Lambda errors in 5 minutes, on every function', () => {
      const functions = [
        ['mcp', stack.mcp.function],
        ['web', stack.web.function],
        ...stack.consumers.consumers.map((c) => [`consumer-${c.spec.consumer}`, c.function] as const),
        ...MACHINES.map((m) => [`steps-${m.replace(/_/g, '-')}`, stack.workflows.machines[m].stepFunction] as const),
        ['autopilot', stack.autopilot.function] as const,
      ] as const;
      expect(functions).toHaveLength(Object.keys(template.findResources('AWS::Lambda::Function')).length);
      for (const [name, fn] of functions) {
        expect(alarmNamed(template, `Conclave-errors-${name}`)).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
          Statistic: 'Sum',
          Threshold: 5,
        });
      }
    });

    it('fire on any failed or timed-out execution of each state machine', () => {
      for (const m of MACHINES) {
        const alarm = alarmNamed(template, `Conclave-workflow-${m}`);
        expect(alarm.Threshold).toBe(1);
        const metrics = alarm.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: Json; Stat: string } }[];
        expect(metrics.find((x) => x.Expression)?.Expression).toBe('failed + timedOut');
        const stats = metrics.filter((x) => x.MetricStat).map((x) => x.MetricStat as { Metric: Json; Stat: string });
        expect(stats.map((s) => s.Metric.MetricName).sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
        for (const s of stats) {
          expect(s.Stat).toBe('Sum');
          expect(s.Metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: logicalId(stack.workflows.machines[m].stateMachine) } }]);
        }
      }
    });

    it('fire on Bedrock throttling of the configured model sustained over 3 periods', () => {
      expect(alarmNamed(template, 'Conclave-bedrock-throttles')).toMatchObject({
        Namespace: 'AWS/Bedrock',
        MetricName: 'InvocationThrottles',
        Dimensions: [{ Name: 'ModelId', Value: 'amazon.titan-embed-text-v2:0' }],
        Statistic: 'Sum',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      });
      const other = synth({ embeddingModelId: 'amazon.titan-embed-text-v2:1' }).template;
      expect(alarmNamed(other, 'Conclave-bedrock-throttles').Dimensions).toEqual([{ Name: 'ModelId', Value: 'amazon.titan-embed-text-v2:1' }]);
    });

    it('fire on any 5xx answer of the MCP Function URL', () => {
      expect(alarmNamed(template, 'Conclave-mcp-5xx')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Url5xxCount',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.mcp.function) } }],
        Statistic: 'Sum',
        Threshold: 1,
      });
    });

    it('are the same with every optional prop set', () => {
      const full = synth(FULL_PROPS).template;
      expect(alarms(full).map((a) => a.AlarmName).sort()).toEqual(alarms(template).map((a) => a.AlarmName).sort());
    });
  });
});
