import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFn, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/contracts/env.js';
import { DYNAMODB_ACTION, type StoreOperation } from '../../functions/contracts/table-access.js';
import { TABLE_SCHEMA } from '../../functions/contracts/table.js';
import { bundledCode } from './lambda-code.js';

export interface ConclaveFunctionProps {
  /** Absolute path of the handler module under functions/handlers, bundled by scripts/bundle.ts. */
  readonly entry: string;
  /** The function's description in the Lambda console. */
  readonly description: string;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` of its logs, metrics and traces (SERVICE_NAME in functions/contracts/observability.ts). */
  readonly serviceName: string;
  /**
   * Memory in MB (CPU scales with it).
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long one invocation may run.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * For functions invoked asynchronously (EventBridge): how many times
   * Lambda retries an invocation that threw, and the queue the event goes to
   * after the last failure (CDK grants sqs:SendMessage on it).
   *
   * @default - none: the caller (Function URL, Step Functions) sees the error itself
   */
  readonly asyncFailures?: { readonly retryAttempts: number; readonly deadLetterQueue: IQueue };
  /**
   * Environment variables besides the service name and the ones set by
   * `useTable` / `useBus`.
   *
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Concurrent executions reserved for (and capping) the function: a cost
   * ceiling, and a guarantee that one function cannot starve the others.
   *
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
}

const L1_REASON =
  'nodejs22.x (an LTS runtime in support) is what the bundle targets (esbuild node22) and what the handler is verified on; moving to nodejs24.x is a deliberate upgrade with its own verification.';
const XRAY_REASON = 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.';

/**
 * One Conclave Lambda function as every concern deploys it: the handler
 * bundled by the one recipe (scripts/bundle.ts), Node.js 22 on arm64, X-Ray
 * active tracing, its own log group (retention, removal policy) and its own
 * role, which may write to that log group and nothing else until a grant
 * adds to it. Grants go through `useTable`/`useBus`, each next to the
 * environment variable naming what it grants.
 */
export class ConclaveFunction extends Construct {
  /** The handler module the code is bundled from. */
  readonly entry: string;
  readonly function: LambdaFn;
  /** The execution role (no managed policies). */
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ConclaveFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy:
    // the function may write to its own log group and nowhere else.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.logGroup.grantWrite(this.role);

    // 'Default' is left out of logical ids: the function keeps the logical id it had
    // before this construct existed, so a deployed function (and its URL) is updated, not replaced.
    this.function = new LambdaFn(this, 'Default', {
      description: props.description,
      code: bundledCode(props.entry),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: { ...props.environment, [ENV.serviceName]: props.serviceName },
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      ...(props.asyncFailures ? { retryAttempts: props.asyncFailures.retryAttempts, deadLetterQueue: props.asyncFailures.deadLetterQueue } : {}),
    });

    Validations.of(this.function).acknowledge({ id: 'AwsSolutions-L1', reason: L1_REASON });
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: XRAY_REASON });
  }

  /**
   * Names the table (CONCLAVE_TABLE_NAME) and grants exactly the DynamoDB
   * actions the given Store operations send, on the table and, when the
   * function queries, on its indexes by name (no `index/*` wildcard).
   */
  useTable(table: ITable, operations: readonly StoreOperation[]): void {
    if (!operations.length) throw new Error(`${this.node.path}: useTable needs at least one operation`);
    this.function.addEnvironment(ENV.tableName, table.tableName);
    const actions = [...new Set(operations.map((op) => DYNAMODB_ACTION[op]))].sort();
    const indexes = operations.includes('query') ? TABLE_SCHEMA.indexes.map((i) => `${table.tableArn}/index/${i.name}`) : [];
    this.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [table.tableArn, ...indexes] }));
  }

  /**
   * Names the bus (CONCLAVE_EVENT_BUS_NAME; the runtime config requires it)
   * and, if the function publishes, grants events:PutEvents on it alone.
   */
  useBus(bus: IEventBus, access: { readonly publish: boolean }): void {
    this.function.addEnvironment(ENV.eventBusName, bus.eventBusName);
    if (access.publish) bus.grantPutEventsTo(this.function);
  }
}
