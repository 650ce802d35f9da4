import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Function as LambdaFn,
  FunctionUrlAuthType,
  InvokeMode,
  Runtime,
  Tracing,
  type FunctionUrl,
} from 'aws-cdk-lib/aws-lambda';
import { bundledCode } from './lambda-code.js';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../../functions/contracts/embeddings.js';
import { ENV } from '../../functions/contracts/env.js';

/** The Lambda entry point, resolved from this module so synth works from any working directory. */
const ENTRY = fileURLToPath(new URL('../../functions/handlers/mcp.ts', import.meta.url));

/** Value of `POWERTOOLS_SERVICE_NAME` for this function's logs, metrics and traces. */
const SERVICE_NAME = 'conclave-mcp';

export interface McpEndpointProps {
  /** The single table; the function gets read/write on its items and indexes. */
  readonly table: Table;
  /** The bus; the function may put events on it (and only on it). */
  readonly bus: IEventBus;
  /**
   * Browser origins allowed to call the endpoint. Requests without an
   * `Origin` header (every non-browser MCP client) are not affected.
   *
   * @default - none: any request carrying an Origin header is refused
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Seconds without a heartbeat after which an agent counts as stale.
   *
   * @default 300
   */
  readonly staleAfterSeconds?: number;
  /**
   * The Bedrock model memories and search queries are embedded with: a Titan
   * Text Embeddings v2 model id. The function may invoke this model and no
   * other. Enable access to it in the Bedrock console of the stack's region.
   * After changing it, run `npm run memory -- reembed --table <TableName> --model <id> --tenant <id>`.
   *
   * @default 'amazon.titan-embed-text-v2:0'
   */
  readonly embeddingModelId?: string;
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
}

/**
 * The MCP endpoint: one Lambda function behind a Function URL serving
 * `/mcp/<endpoint>` for every role and the board, in RESPONSE_STREAM mode so
 * SSE progress reaches the client as it happens.
 */
export class McpEndpoint extends Construct {
  readonly function: LambdaFn;
  readonly functionUrl: FunctionUrl;
  /** The Function URL, ending with `/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: McpEndpointProps) {
    super(scope, id);

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy:
    // the function may write to its own log group and nowhere else.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Conclave MCP endpoint function',
    });
    logGroup.grantWrite(role);

    this.function = new LambdaFn(this, 'Function', {
      description: 'Conclave MCP endpoint: /mcp/<role>, /mcp/board, /healthz',
      code: bundledCode(ENTRY),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.seconds(30),
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        [ENV.allowedOrigins]: (props.allowedOrigins ?? []).join(','),
        [ENV.staleAfterSeconds]: String(props.staleAfterSeconds ?? 300),
        [ENV.serviceName]: SERVICE_NAME,
      },
          });

    // Grants sit next to the environment variable that names what they grant.
    this.function.addEnvironment(ENV.tableName, props.table.tableName);
    props.table.grantReadWriteData(this.function);
    this.function.addEnvironment(ENV.eventBusName, props.bus.eventBusName);
    props.bus.grantPutEventsTo(this.function);
    const embeddingModelId = props.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID;
    if (!EMBEDDING_MODEL_ID_PATTERN.test(embeddingModelId)) {
      throw new Error(`embeddingModelId "${embeddingModelId}" is not a Titan Text Embeddings v2 model id (e.g. ${DEFAULT_EMBEDDING_MODEL_ID})`);
    }
    this.function.addEnvironment(ENV.embeddingModelId, embeddingModelId);
    // Least privilege: InvokeModel (not the streaming or async variants) on this one foundation model.
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [Stack.of(this).formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: embeddingModelId })],
      }),
    );

    this.functionUrl = this.function.addFunctionUrl({
      // Public on purpose: the app authenticates every request itself (bearer API
      // keys, functions/core/auth). IAM auth would shut out every MCP client, none
      // of which sign SigV4. (AwsSolutions has no rule on Function URL auth to acknowledge.)
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
    this.url = this.functionUrl.url;

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x (an LTS runtime in support) is what the bundle targets (esbuild node22) and what the handler is verified on; moving to nodejs24.x is a deliberate upgrade with its own verification.',
    });
    const tableLogicalId = Stack.of(this).resolve((props.table.node.defaultChild as CfnTable).logicalId) as string;
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
        reason: "grantReadWriteData covers this table's own indexes (gsi1 queries); the wildcard never reaches another table.",
      },
    );
  }
}
