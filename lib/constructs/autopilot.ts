import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { AUTOPILOT_DEFAULTS, AUTOPILOT_METRIC, AUTOPILOT_RULE, MODEL_ID_PATTERN } from '../../functions/contracts/autopilot.js';
import { ENV } from '../../functions/contracts/env.js';
import { DIMENSION, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contracts/observability.js';
import { STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import { ConclaveFunction } from './conclave-function.js';
import { toEventPattern } from './consumers.js';
import { PERIOD } from './signals.js';

const ENTRY = fileURLToPath(new URL('../../functions/handlers/autopilot.ts', import.meta.url));

/** Cross-region inference profiles: a geography prefix before a foundation model id (`us.anthropic.claude-…`). */
const INFERENCE_PROFILE = /^(us|eu|apac|us-gov|global)\.(.+)$/;

export interface AutopilotProps {
  readonly table: ITable;
  /** The bus: the rule listens on it; the agents' tools publish on it. */
  readonly bus: IEventBus;
  /**
   * The Bedrock models (or cross-region inference profiles) autopilot may
   * use: the function may call Converse on exactly these, and set_autopilot
   * accepts no other. Enable access to them in the Bedrock console.
   *
   * @default [AUTOPILOT_DEFAULTS.modelId]
   */
  readonly modelIds?: readonly string[];
  /**
   * Agents running at once across every tenant: the function's reserved
   * concurrency, so agents can never take the MCP endpoint's capacity (and
   * Bedrock's quota is met by throttling this function, not the others).
   *
   * @default 5
   */
  readonly reservedConcurrency?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Autopilot: its own function (reserved concurrency, a 10-minute timeout for
 * an activation's model turns), the bus rule of its three triggers with a
 * retry policy and dead-letter queues, Converse on the configured models
 * only, and alarms on agents that gave up and on spent budgets.
 */
export class Autopilot extends Construct {
  readonly function: LambdaFn;
  readonly rule: Rule;
  readonly deliveryDeadLetterQueue: Queue;
  readonly processingDeadLetterQueue: Queue;
  readonly modelIds: readonly string[];
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AutopilotProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.modelIds = props.modelIds?.length ? [...props.modelIds] : [AUTOPILOT_DEFAULTS.modelId];
    for (const model of this.modelIds) {
      if (!MODEL_ID_PATTERN.test(model) || model.includes('*')) throw new Error(`autopilot model id ${JSON.stringify(model)} is not a Bedrock model id`);
    }

    const dlq = (queueId: string) =>
      new Queue(this, queueId, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), removalPolicy });
    this.deliveryDeadLetterQueue = dlq('DeliveryDlq');
    this.processingDeadLetterQueue = dlq('ProcessingDlq');

    const agent = new ConclaveFunction(this, 'Function', {
      entry: ENTRY,
      description: 'Conclave autopilot: role agents driven by Bedrock Converse, acting through their role tools',
      serviceName: SERVICE_NAME.autopilot,
      memorySize: 1024,
      timeout: Duration.minutes(10),
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
      asyncFailures: { retryAttempts: 2, deadLetterQueue: this.processingDeadLetterQueue },
      environment: { [ENV.autopilotModelIds]: this.modelIds.join(',') },
    });
    this.function = agent.function;
    (this.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions = props.reservedConcurrency ?? 5;
    // The agents call the same tools as an MCP client: every Store operation, and they publish events.
    agent.useTable(props.table, STORE_OPERATIONS);
    agent.useBus(props.bus, { publish: true });

    // Converse is authorized as bedrock:InvokeModel, on exactly the configured models (no wildcard model).
    const resources = this.modelIds.flatMap((model) => {
      const profile = INFERENCE_PROFILE.exec(model);
      if (!profile) return [stack.formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: model })];
      // A cross-region profile routes to the same foundation model in its geography's regions.
      return [
        stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: model }),
        stack.formatArn({ service: 'bedrock', region: '*', account: '', resource: 'foundation-model', resourceName: profile[2] as string }),
      ];
    });
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources }));
    for (const model of this.modelIds) {
      const profile = INFERENCE_PROFILE.exec(model);
      if (!profile) continue;
      Validations.of(agent.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${profile[2] as string}]`,
        reason: `The cross-region inference profile ${model} routes each call to ${profile[2] as string} in any region of its geography; the grant names that one model, with the region left open as Bedrock's documentation requires.`,
      });
    }

    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: AUTOPILOT_RULE.description,
      eventPattern: toEventPattern(AUTOPILOT_RULE.pattern),
      targets: [new LambdaFunction(this.function, { retryAttempts: 3, maxEventAge: Duration.hours(2), deadLetterQueue: this.deliveryDeadLetterQueue })],
    });
    Validations.of(this.deliveryDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the dead-letter queue of the Autopilot rule's target (EventBridge DeadLetterConfig); a dead-letter queue needs no dead-letter queue of its own.",
    });

  }

  /**
   * Alarms on agents that gave up after repeated model failures and on spent
   * daily budgets, notifying `topic` (the stack's alarm topic). The
   * function's errors and its dead-letter queues are watched with every
   * other function's (ConclaveAlarms).
   */
  addAlarms(topic: ITopic): Alarm[] {
    const stack = Stack.of(this);
    const action = new SnsAction(topic);
    const metric = (name: string) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { [DIMENSION.service]: SERVICE_NAME.autopilot }, statistic: Stats.SUM, period: PERIOD });
    const alarm = (alarmId: string, name: string, m: Metric, description: string) => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${stack.stackName}-${name}`,
        alarmDescription: description,
        metric: m,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
    };
    alarm(
      'Failures',
      'autopilot-failures',
      metric(AUTOPILOT_METRIC.failures),
      "An autopilot agent gave up after repeated model failures: its task or request is left for a person (the role's inbox says why). Check Bedrock throttling and model access for the configured models.",
    );
    alarm(
      'BudgetExhausted',
      'autopilot-budget-exhausted',
      metric(AUTOPILOT_METRIC.budgetExhausted),
      "A tenant's autopilot daily token budget is spent: its agents are stopped until the UTC day ends or a person raises it with set_autopilot. The CEO and the board were told.",
    );
    return this.alarms;
  }
}
