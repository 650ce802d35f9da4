import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC } from '../../functions/contracts/observability.js';
import { bedrockMetric, PERIOD, toolMetric, type ConclaveSignals } from './signals.js';

export interface ConclaveAlarmsProps {
  /** What to watch. */
  readonly signals: ConclaveSignals;
  /**
   * Where alarm notifications are e-mailed (the address must confirm the
   * subscription AWS sends it).
   *
   * @default - no subscription: subscribe to the topic (output AlarmTopicArn) yourself
   */
  readonly alarmEmail?: string;
  /**
   * Lambda errors of one function in 5 minutes that raise its alarm. Bus
   * consumers and workflow steps are retried by design, so isolated errors
   * are expected; what could not be recovered shows in the dead-letter and
   * workflow alarms.
   *
   * @default 5
   */
  readonly functionErrorThreshold?: number;
  /**
   * MCP responses with a 5xx status in 5 minutes that raise the MCP 5xx
   * alarm. The app answers every client mistake with a 4xx and every tool
   * failure with a tool error result, so a 5xx is a server fault.
   *
   * @default 1
   */
  readonly mcp5xxThreshold?: number;
  /**
   * Consecutive 5-minute periods with throttled Bedrock calls that raise the
   * throttling alarm (the embedder retries with backoff, so a short burst
   * only slows memory writes and searches down).
   *
   * @default 3
   */
  readonly bedrockThrottlePeriods?: number;
  /**
   * Requests refused by the front door's limits (HTTP 429) in 5 minutes that
   * raise the rate-limit alarm: a runaway client or agent loop, or limits set
   * too low for real use.
   *
   * @default 100
   */
  readonly rateLimitedThreshold?: number;
}

/** An e-mail address as SNS accepts it for an e-mail subscription (also checked where bin/app.ts reads it from context). */
export const ALARM_EMAIL_PATTERN = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** Key administration for the account's IAM policies, listed (no `kms:*`). */
const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** What SNS needs from a publisher on a KMS-encrypted topic (and an operator needs to send a test message). */
const KEY_USE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * The failure signals and where they go: an SNS topic (encrypted with its
 * own KMS key, TLS only, with an e-mail subscription when an address is
 * given) receiving the ALARM and OK transitions of one alarm per signal —
 * any message in any dead-letter queue, Lambda errors above a threshold on
 * each function, failed or timed-out executions of each state machine,
 * sustained Bedrock throttling, and 5xx answers from the MCP endpoint.
 * Alarm names start with the stack name; the topic accepts alarms of this
 * stack only.
 */
export class ConclaveAlarms extends Construct {
  readonly topic: Topic;
  /** The key the topic is encrypted with. */
  readonly key: Key;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ConclaveAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { signals } = props;
    if (props.alarmEmail !== undefined && !Token.isUnresolved(props.alarmEmail) && !ALARM_EMAIL_PATTERN.test(props.alarmEmail)) {
      throw new Error(`alarmEmail ${JSON.stringify(props.alarmEmail)} is not an e-mail address`);
    }
    const prefix = `${stack.stackName}-`;
    // Only alarms whose names start with this stack's name may publish (confused-deputy protection).
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };

    // SNS encryption with the AWS-managed aws/sns key would shut CloudWatch out (its key
    // policy cannot be changed), so the topic has its own key. It protects notifications in
    // transit through SNS only and holds no data: it is deleted (after 7 days) with the stack.
    this.key = new Key(this, 'Key', {
      description: `Encrypts the ${stack.stackName} alarm notifications (SNS topic)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({ sid: 'KeyAdministration', effect: Effect.ALLOW, principals: [new AccountRootPrincipal()], actions: KEY_ADMIN_ACTIONS, resources: ['*'] }),
          new PolicyStatement({ sid: 'AccountUse', effect: Effect.ALLOW, principals: [new AccountRootPrincipal()], actions: KEY_USE_ACTIONS, resources: ['*'] }),
          new PolicyStatement({
            sid: 'CloudWatchAlarmsPublish',
            effect: Effect.ALLOW,
            principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: KEY_USE_ACTIONS,
            resources: ['*'],
            conditions: fromOurAlarms,
          }),
        ],
      }),
    });

    this.topic = new Topic(this, 'Topic', {
      topicName: `${stack.stackName}-alarms`,
      displayName: `${stack.stackName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, name: string, metric: IMetric, options: { threshold: number; description: string; periods?: number }): void => {
      const periods = options.periods ?? 1;
      const created = new Alarm(this, alarmId, {
        alarmName: `${prefix}${name}`,
        alarmDescription: options.description,
        metric,
        threshold: options.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        // No data is no failure: idle functions and empty queues publish nothing.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
    };

    for (const { name, queue } of signals.deadLetterQueues) {
      alarm(`Dlq-${name}`, `dlq-${name}`, queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: PERIOD }), {
        threshold: 1,
        description: `Events are waiting in the ${name} dead-letter queue: they could not be delivered or processed. The function's log group and the message attributes give the error; redrive them once the cause is fixed.`,
      });
    }

    const errorThreshold = props.functionErrorThreshold ?? 5;
    for (const { name, function: fn } of signals.functions) {
      alarm(`Errors-${name}`, `errors-${name}`, fn.metricErrors({ statistic: Stats.SUM, period: PERIOD }), {
        threshold: errorThreshold,
        description: `The ${name} function failed ${errorThreshold} or more times in 5 minutes. Search its log group for level ERROR (with the correlation_id) and its X-Ray traces.`,
      });
    }

    for (const { machine, stateMachine } of signals.stateMachines) {
      const failures = new MathExpression({
        expression: 'failed + timedOut',
        usingMetrics: {
          failed: stateMachine.metricFailed({ statistic: Stats.SUM, period: PERIOD }),
          timedOut: stateMachine.metricTimedOut({ statistic: Stats.SUM, period: PERIOD }),
        },
        label: `${machine} executions failed or timed out`,
        period: PERIOD,
      });
      alarm(`Workflow-${machine}`, `workflow-${machine}`, failures, {
        threshold: 1,
        description: `A ${machine} execution failed or timed out. Its run is recorded as failed (workflow_status shows the cause); the execution history and the /aws/vendedlogs/states log group show the state that failed.`,
      });
    }

    const throttlePeriods = props.bedrockThrottlePeriods ?? 3;
    alarm('BedrockThrottles', 'bedrock-throttles', bedrockMetric('InvocationThrottles', signals.embeddingModelId), {
      threshold: 1,
      periods: throttlePeriods,
      description: `Bedrock has throttled ${signals.embeddingModelId} in each of the last ${throttlePeriods} 5-minute periods: memory writes and searches are slow or failing (dependency_failed). Request a higher InvokeModel quota for the model or reduce the load.`,
    });

    const rateLimited = props.rateLimitedThreshold ?? 100;
    alarm('RateLimited', 'rate-limited', toolMetric(METRIC.rateLimited), {
      threshold: rateLimited,
      description: `The front door refused ${rateLimited} or more requests with 429 in 5 minutes. Search the MCP log group for "rate limited" (tenant_id, key_id, limit): a runaway client or agent loop, or limits set too low (the board's set_rate_limits, or the rate* context keys).`,
    });
    alarm('McpThrottles', 'mcp-throttles', signals.mcpFunction.metricThrottles({ statistic: Stats.SUM, period: PERIOD }), {
      threshold: 1,
      description: 'The MCP function hit its reserved concurrency: clients got 429/5xx from Lambda itself. Raise -c mcpReservedConcurrency if the load is real, or find the flood (WAF sampled requests, the rate-limited alarm).',
    });
    if (signals.webFunction) {
      alarm('WebThrottles', 'web-throttles', signals.webFunction.metricThrottles({ statistic: Stats.SUM, period: PERIOD }), {
        threshold: 1,
        description: 'The web function (console, OAuth sign-in and tokens) hit its reserved concurrency: people and OAuth clients got 429/5xx from Lambda itself. Raise -c webReservedConcurrency if the load is real, or find the flood (WAF sampled requests).',
      });
    }

    const mcp5xx = props.mcp5xxThreshold ?? 1;
    alarm('Mcp5xx', 'mcp-5xx', signals.mcpFunction.metric('Url5xxCount', { statistic: Stats.SUM, period: PERIOD }), {
      threshold: mcp5xx,
      description: `The MCP endpoint answered ${mcp5xx} or more requests with a 5xx in 5 minutes (an unhandled error, a timeout or a throttle). Clients see a correlation id in the x-correlation-id header; search the MCP log group for it.`,
    });
  }
}
