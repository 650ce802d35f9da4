import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FunctionUrlAuthType, InvokeMode, type Function as LambdaFn, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../functions/contracts/env.js';
import { SERVICE_NAME } from '../../functions/contracts/observability.js';
import { STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import { ConclaveFunction } from './conclave-function.js';

/** The Lambda entry point, resolved from this module so synth works from any working directory. */
const ENTRY = fileURLToPath(new URL('../../functions/handlers/web.ts', import.meta.url));

/** The paths the web function serves; with a custom domain, CloudFront routes exactly these to it. */
export const WEB_PATHS = ['/console', '/console/*', '/oauth/*', '/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/*'] as const;

export interface WebEndpointProps {
  /** The single table: console pages and the OAuth state (clients, codes, grants, tokens) are in it. */
  readonly table: ITable;
  /** The bus; the console's rulings and approvals publish on it. */
  readonly bus: IEventBus;
  /**
   * Host names served besides the region's Function URLs (`*.lambda-url.<region>.on.aws`), e.g. the custom domain.
   * Without a custom domain the same list names the MCP endpoints' hosts whose resources the authorization server
   * issues tokens for.
   *
   * @default - none beyond the Function URLs'
   */
  readonly allowedHosts?: readonly string[];
  /**
   * The public base URL shared with the MCP endpoints (a custom domain): the issuer, and the only resource base.
   *
   * @default - the Function URL domain Lambda reports for each request
   */
  readonly publicUrl?: string;
  /**
   * Seconds without a heartbeat after which an agent counts as stale (the console's organization page).
   *
   * @default 300
   */
  readonly staleAfterSeconds?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Concurrent executions reserved for (and capping) the web function: people signing in and using the console,
   * and OAuth clients registering and refreshing tokens. `'none'` leaves it in the account's unreserved pool.
   *
   * @default 10
   */
  readonly reservedConcurrency?: number | 'none';
}

/**
 * The web function: the board's console (`/console`) and the OAuth 2.1
 * authorization server (`/.well-known/oauth-authorization-server`,
 * `/oauth/*`: registration, the consent page, token, revocation) behind its
 * own Function URL. The MCP function keeps the protected-resource metadata
 * and verifies the tokens this one issues (the same table, through the Store
 * port); `npm start` serves both in one process.
 */
export class WebEndpoint extends Construct {
  readonly function: LambdaFn;
  readonly functionUrl: FunctionUrl;
  /** The Function URL, ending with `/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebEndpointProps) {
    super(scope, id);
    const web = new ConclaveFunction(this, 'Function', {
      entry: ENTRY,
      description: 'Conclave web: /console and the OAuth authorization server (/oauth/*, /.well-known/oauth-authorization-server)',
      serviceName: SERVICE_NAME.web,
      memorySize: 512,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      environment: {
        [ENV.allowedHosts]: [`*.lambda-url.${Stack.of(this).region}.on.aws`, ...(props.allowedHosts ?? [])].join(','),
        [ENV.staleAfterSeconds]: String(props.staleAfterSeconds ?? 300),
        ...(props.publicUrl !== undefined ? { [ENV.publicUrl]: props.publicUrl } : {}),
      },
      ...(props.reservedConcurrency === 'none' ? {} : { reservedConcurrency: props.reservedConcurrency ?? 10 }),
    });
    this.function = web.function;
    // The console's read models and rulings, and the OAuth records, use the Store's operations (and the gsi1 index).
    web.useTable(props.table, STORE_OPERATIONS);
    web.useBus(props.bus, { publish: true });

    this.functionUrl = this.function.addFunctionUrl({
      // Public on purpose, as the MCP endpoint's: people's browsers and OAuth clients call it; the app authenticates
      // (the sign-in, the session cookie with CSRF tokens, PKCE).
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
    this.url = this.functionUrl.url;
  }

  /** Refuses every request without `secret` in x-conclave-origin-verify (CloudFront adds it), as the MCP function does. */
  requireOriginSecret(secret: string): void {
    this.function.addEnvironment(ENV.originSecret, secret);
  }
}
