import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, InvokeMode, type Function as LambdaFn, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../../functions/contracts/embeddings.js';
import { ENV } from '../../functions/contracts/env.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_BOUNDS, type RateLimits } from '../../functions/contracts/rate-limits.js';
import { SERVICE_NAME } from '../../functions/contracts/observability.js';
import { STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import { ConclaveFunction } from './conclave-function.js';

/** The Lambda entry point, resolved from this module so synth works from any working directory. */
const ENTRY = fileURLToPath(new URL('../../functions/handlers/mcp.ts', import.meta.url));

export interface McpEndpointProps {
  /** The single table; the function may use every Store operation on it and its index. */
  readonly table: ITable;
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
   * Host names the endpoint answers to besides its Function URL's (which is
   * always served: `*.lambda-url.<region>.on.aws`); a request naming any
   * other host is refused (DNS-rebinding protection). A custom domain in
   * front of the URL reaches it with the URL's own host.
   *
   * @default - none beyond the Function URL's
   */
  readonly allowedHosts?: readonly string[];
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
   * The public base URL clients use (`https://host`, no trailing slash): the
   * OAuth metadata, challenges and consent page are built from it. Set it
   * when a custom domain fronts the function.
   *
   * @default - the Function URL domain Lambda reports for each request (never the Host header)
   */
  readonly publicUrl?: string;
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
   * The front door's default limits (each tenant's board may override
   * them); `'off'` serves without limits.
   *
   * @default DEFAULT_RATE_LIMITS (120 per key and 600 per tenant a minute, burst 20, 20,000 tool calls a day)
   */
  readonly rateLimits?: RateLimits | 'off';
  /**
   * Concurrent executions reserved for (and capping) the MCP function: the
   * hard ceiling on what a flood can cost. `'none'` leaves it in the
   * account's unreserved pool.
   *
   * @default 100
   */
  readonly reservedConcurrency?: number | 'none';
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

    const endpoint = new ConclaveFunction(this, 'Function', {
      entry: ENTRY,
      description: 'Conclave MCP endpoint: /mcp/<role>, /mcp/board, /healthz',
      serviceName: SERVICE_NAME.mcp,
      memorySize: 1024,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      environment: {
        [ENV.allowedOrigins]: (props.allowedOrigins ?? []).join(','),
        [ENV.allowedHosts]: [`*.lambda-url.${Stack.of(this).region}.on.aws`, ...(props.allowedHosts ?? [])].join(','),
        [ENV.staleAfterSeconds]: String(props.staleAfterSeconds ?? 300),
        ...rateLimitEnvironment(props.rateLimits ?? DEFAULT_RATE_LIMITS),
      },
      ...(props.reservedConcurrency === 'none' ? {} : { reservedConcurrency: props.reservedConcurrency ?? 100 }),
    });
    this.function = endpoint.function;

    // The tools use every Store operation (and the gsi1 index); they publish on the bus.
    endpoint.useTable(props.table, STORE_OPERATIONS);
    endpoint.useBus(props.bus, { publish: true });

    const embeddingModelId = props.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID;
    if (!EMBEDDING_MODEL_ID_PATTERN.test(embeddingModelId)) {
      throw new Error(`embeddingModelId "${embeddingModelId}" is not a Titan Text Embeddings v2 model id (e.g. ${DEFAULT_EMBEDDING_MODEL_ID})`);
    }
    this.function.addEnvironment(ENV.embeddingModelId, embeddingModelId);
    // Validated at cold start (functions/runtime/config.ts: https, no path); the custom domain construct checks the host name.
    if (props.publicUrl !== undefined) this.function.addEnvironment(ENV.publicUrl, props.publicUrl);
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
  }

  /**
   * Refuses every request without `secret` in the x-conclave-origin-verify
   * header (CloudFront adds it): calls that go around the distribution to
   * the Function URL are answered 403 before any other work.
   */
  requireOriginSecret(secret: string): void {
    this.function.addEnvironment(ENV.originSecret, secret);
  }
}

/** The limits as the runtime config reads them (functions/runtime/config.ts). */
function rateLimitEnvironment(limits: RateLimits | 'off'): Record<string, string> {
  if (limits === 'off') return { [ENV.rateLimits]: 'off' };
  validateLimitValues(limits);
  return {
    [ENV.rateLimits]: 'on',
    [ENV.rateKeyPerMinute]: String(limits.keyPerMinute),
    [ENV.rateTenantPerMinute]: String(limits.tenantPerMinute),
    [ENV.rateBurst]: String(limits.burst),
    [ENV.rateDailyToolCalls]: String(limits.dailyToolCalls),
  };
}

function validateLimitValues(limits: RateLimits): void {
  for (const [name, [min, max]] of Object.entries(RATE_LIMIT_BOUNDS) as [keyof RateLimits, readonly [number, number]][]) {
    const value = limits[name];
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`rate limit ${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}
