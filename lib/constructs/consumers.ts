import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDING_MODEL_ID } from '../../functions/contracts/embeddings.js';
import { ENV } from '../../functions/contracts/env.js';
import { SERVICE_NAME } from '../../functions/contracts/observability.js';
import { CONSUMER_PUBLISHES, RULES, type ConsumerId, type RuleSpec } from '../../functions/contracts/rules.js';
import { CONSUMER_STORE_ACCESS } from '../../functions/contracts/table-access.js';
import { ConclaveFunction } from './conclave-function.js';

/** Consumers that write memories and so embed text: the decision-workflows consumer remembers each closed decision. */
export const CONSUMERS_THAT_EMBED: readonly ConsumerId[] = ['decision-workflows'];


/** A consumer's Lambda entry point, resolved from this module so synth works from any working directory. */
function entryOf(consumer: ConsumerId): string {
  return fileURLToPath(new URL(`../../functions/handlers/consumers/${consumer}.ts`, import.meta.url));
}

/** SQS's maximum: dead letters wait as long as possible for someone to look at them. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Lambda's own asynchronous retries after a failed invocation (a throw in the
 * handler), before the event goes to the function's dead-letter queue.
 */
const PROCESSING_RETRIES = 2;

/**
 * Converts a rule pattern from the EventBridge JSON shape (the contract's,
 * also what the local bus matches with) to CDK's `EventPattern`. CDK renames
 * exactly one key when it renders, the top-level `detailType` to
 * `detail-type`, and passes every other key through unchanged, so this is the
 * only key converted. Keys inside `$or` branches and `detail` are rendered
 * verbatim by CDK and therefore stay in the EventBridge shape. The pattern is
 * deep-copied: CDK merges later `addEventPattern` calls into the objects it
 * was given, and the contract's pattern must not change.
 */
export function toEventPattern(pattern: Readonly<Record<string, unknown>>): EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    if (key === 'detailType') {
      throw new Error('rule patterns use the EventBridge JSON shape: write "detail-type", not "detailType"');
    }
    out[key === 'detail-type' ? 'detailType' : key] = structuredClone(value);
  }
  // EventPattern has no index signature; `$or` and other EventBridge keys pass through CDK as they are.
  return out as EventPattern;
}

export interface BusConsumersProps {
  /** The single table; each consumer may use exactly the operations CONSUMER_STORE_ACCESS lists for it. */
  readonly table: ITable;
  /** The bus the rules listen on. Consumers only read from it, except those CONSUMER_PUBLISHES names. */
  readonly bus: IEventBus;
  /**
   * The embedding model (Titan Text Embeddings v2) of the consumers that
   * write memories (CONSUMERS_THAT_EMBED): they may invoke this model alone.
   *
   * @default DEFAULT_EMBEDDING_MODEL_ID
   */
  readonly embeddingModelId?: string;
  /**
   * How long the consumers' logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log groups and the dead-letter queues (which hold
   * events not yet dealt with) when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long EventBridge keeps trying to deliver an event to a consumer
   * function before sending it to the rule's dead-letter queue.
   *
   * @default Duration.hours(2)
   */
  readonly maxEventAge?: Duration;
  /**
   * How many times EventBridge retries delivering an event to a consumer
   * function before sending it to the rule's dead-letter queue.
   *
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * Concurrent executions reserved for (and capping) each consumer. Events
   * beyond it wait: Lambda keeps retrying throttled asynchronous invocations
   * for up to six hours before the delivery dead-letter queue. `'none'`
   * leaves the consumers in the account's unreserved pool.
   *
   * @default 10
   */
  readonly reservedConcurrency?: number | 'none';
}

/** One bus rule and everything deployed for it. */
export interface BusConsumer {
  /** The contract entry this consumer was built from. */
  readonly spec: RuleSpec;
  readonly function: LambdaFn;
  readonly rule: Rule;
  /**
   * Events EventBridge could not deliver to the function (retries or event age
   * exhausted, throttling, a missing permission).
   */
  readonly deliveryDeadLetterQueue: Queue;
  /**
   * Events the function received but failed to process after Lambda's
   * asynchronous retries (e.g. a malformed event, which the handler logs and
   * rethrows). The message body is the event as delivered; Lambda adds the
   * error in the message attributes.
   */
  readonly processingDeadLetterQueue: Queue;
}

/**
 * The bus consumers: for every rule in `RULES`, an EventBridge rule on the
 * Conclave bus with the contract's pattern, targeting the consumer's Lambda
 * function with a retry policy; and two encrypted dead-letter queues, one for
 * events EventBridge could not deliver and one for events the function failed
 * to process.
 */
export class BusConsumers extends Construct {
  /** One per `RULES` entry, in the same order. */
  readonly consumers: readonly BusConsumer[];

  constructor(scope: Construct, id: string, props: BusConsumersProps) {
    super(scope, id);
    this.consumers = RULES.map((spec) => this.consumer(spec, props));
  }

  /** Every dead-letter queue (delivery and processing), for alarms on their depth. */
  get deadLetterQueues(): Queue[] {
    return this.consumers.flatMap((c) => [c.deliveryDeadLetterQueue, c.processingDeadLetterQueue]);
  }

  private consumer(spec: RuleSpec, props: BusConsumersProps): BusConsumer {
    const scope = new Construct(this, spec.id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const deadLetterQueue = (queueId: string): Queue =>
      new Queue(scope, queueId, {
        // SQS-managed keys: EventBridge cannot send to a queue encrypted with the
        // AWS-managed aws/sqs KMS key, and a customer key buys nothing here.
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: DEAD_LETTER_RETENTION,
        removalPolicy,
      });
    const deliveryDeadLetterQueue = deadLetterQueue('DeliveryDlq');
    const processingDeadLetterQueue = deadLetterQueue('ProcessingDlq');

    const consumer = new ConclaveFunction(scope, 'Function', {
      entry: entryOf(spec.consumer),
      description: `Conclave bus consumer ${spec.consumer} (rule ${spec.id})`,
      serviceName: SERVICE_NAME.consumer(spec.consumer),
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
      // EventBridge invokes asynchronously: a throw is retried by Lambda, then the
      // event lands in the processing dead-letter queue (CDK grants sqs:SendMessage on it).
      asyncFailures: { retryAttempts: PROCESSING_RETRIES, deadLetterQueue: processingDeadLetterQueue },
      ...(props.reservedConcurrency === 'none' ? {} : { reservedConcurrency: props.reservedConcurrency ?? 10 }),
    });
    const fn = consumer.function;
    // Exactly the table operations of the consumer's contract (the local runtime enforces the same list).
    consumer.useTable(props.table, CONSUMER_STORE_ACCESS[spec.consumer]);
    // The runtime config requires the bus name (the shared Deps build a Bus adapter);
    // only the consumers CONSUMER_PUBLISHES names get PutEvents.
    consumer.useBus(props.bus, { publish: CONSUMER_PUBLISHES[spec.consumer] === true });
    if (CONSUMERS_THAT_EMBED.includes(spec.consumer)) {
      // The decision-workflows consumer remembers closed decisions (core/memory/remember.ts): InvokeModel on the one model.
      const modelId = props.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID;
      fn.addEnvironment(ENV.embeddingModelId, modelId);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: [Stack.of(this).formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: modelId })],
        }),
      );
    }

    const rule = new Rule(scope, 'Rule', {
      eventBus: props.bus,
      description: spec.description,
      eventPattern: toEventPattern(spec.pattern),
      // CDK adds the lambda:InvokeFunction permission scoped to this rule, and the
      // queue policy letting only this rule send to its dead-letter queue.
      targets: [
        new LambdaFunction(fn, {
          retryAttempts: props.retryAttempts ?? 3,
          maxEventAge: props.maxEventAge ?? Duration.hours(2),
          deadLetterQueue: deliveryDeadLetterQueue,
        }),
      ],
    });

    Validations.of(deliveryDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of the ${spec.id} rule's target (EventBridge DeadLetterConfig); a dead-letter queue needs no dead-letter queue of its own.`,
    });

    return { spec, function: fn, rule, deliveryDeadLetterQueue, processingDeadLetterQueue };
  }
}
