import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_EMBEDDING_MODEL_ID } from '../functions/contracts/embeddings.js';
import type { RateLimits } from '../functions/contracts/rate-limits.js';
import { ENDPOINTS } from '../functions/contracts/roles.js';
import { CONSUMER_WORKFLOWS, MACHINES, WORKFLOWS } from '../functions/contracts/workflows.js';
import { ConclaveAlarms } from './constructs/alarms.js';
import { Autopilot } from './constructs/autopilot.js';
import { ENV } from '../functions/contracts/env.js';
import { ConclaveBus } from './constructs/bus.js';
import { BusConsumers, CONSUMERS_THAT_EMBED } from './constructs/consumers.js';
import { McpCustomDomain } from './constructs/custom-domain.js';
import { CostCeiling } from './constructs/cost-ceiling.js';
import { ConclaveDashboard } from './constructs/dashboard.js';
import { EdgeFirewall, type EdgeFirewallProps } from './constructs/edge-firewall.js';
import { McpEndpoint } from './constructs/mcp-endpoint.js';
import { WebEndpoint } from './constructs/web-endpoint.js';
import type { ConclaveSignals } from './constructs/signals.js';
import { ConclaveTable } from './constructs/table.js';
import { MemoryVectors } from './constructs/memory-vectors.js';
import { Workflows } from './constructs/workflows.js';
import { OIDC_CALLBACK_PATH, UpstreamIdentity, type UpstreamIdentityProps } from './constructs/upstream-identity.js';

export interface ConclaveStackProps extends StackProps {
  /**
   * How long Lambda logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Browser origins allowed to call the MCP endpoints (exact origins such as
   * `https://claude.ai`). Non-browser clients send no Origin and are unaffected.
   *
   * @default - none
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * What happens to stateful resources (the table, log groups, dead-letter
   * queues) when they leave the stack. `RETAIN` also turns on the table's
   * deletion protection; use `DESTROY` only for throwaway stacks.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Seconds without a heartbeat after which an agent is reported stale.
   *
   * @default 300
   */
  readonly staleAfterSeconds?: number;
  /**
   * The Bedrock model that embeds memories and search queries (a Titan Text
   * Embeddings v2 model id); the MCP function may invoke exactly this model.
   *
   * @default 'amazon.titan-embed-text-v2:0'
   */
  readonly embeddingModelId?: string;
  /**
   * The Bedrock models (or cross-region inference profiles) the autopilot
   * may use; its function may call Converse on exactly these.
   *
   * @default ['anthropic.claude-3-5-haiku-20241022-v1:0']
   */
  readonly autopilotModelIds?: readonly string[];
  /**
   * Autopilot agents running at once (the autopilot function's reserved concurrency).
   *
   * @default 5
   */
  readonly autopilotConcurrency?: number;
  /**
   * How long the bus archive keeps Conclave's events for replay.
   *
   * @default Duration.days(30)
   */
  readonly eventArchiveRetention?: Duration;
  /**
   * Where alarm notifications are e-mailed (AWS sends a confirmation link first).
   *
   * @default - none: the alarms publish to the topic (output AlarmTopicArn) with no subscriber
   */
  readonly alarmEmail?: string;
  /**
   * Serves the MCP endpoints under your own domain through CloudFront (in
   * front of the Function URL, which keeps working).
   *
   * @default - none: clients use the Function URL
   */
  readonly customDomain?: {
    /** The host name, e.g. `mcp.example.com`. */
    readonly domainName: string;
    /** An issued ACM certificate in us-east-1 covering the host name. */
    readonly certificateArn: string;
    /**
     * A Route 53 hosted zone for the host name; alias records are created in it.
     *
     * @default - none: create a CNAME to the DistributionDomainName output yourself
     */
    readonly hostedZoneId?: string;
  };
  /**
   * The front door's default limits per key, per tenant and per day (each
   * tenant's board may override them with set_rate_limits); `'off'` serves
   * without limits.
   *
   * @default DEFAULT_RATE_LIMITS
   */
  readonly rateLimits?: RateLimits | 'off';
  /**
   * Concurrent executions reserved for (and capping) the MCP function;
   * `'none'` for accounts whose concurrency quota cannot spare it.
   *
   * @default 100
   */
  readonly mcpReservedConcurrency?: number | 'none';
  /**
   * Concurrent executions reserved for (and capping) the web function (the
   * console and the OAuth authorization server); `'none'` as above.
   *
   * @default 10
   */
  readonly webReservedConcurrency?: number | 'none';
  /**
   * Concurrent executions reserved for (and capping) each bus consumer.
   *
   * @default 10
   */
  readonly consumerReservedConcurrency?: number | 'none';
  /**
   * With a custom domain: the WAF web ACL on the distribution. Created here
   * (the stack must deploy to us-east-1) unless `webAclArn` names one of
   * yours; `false` attaches none.
   *
   * @default - a web ACL with 3000 requests per IP and 1500 per credential in 5 minutes, and the AWS common and known-bad-inputs rules
   */
  readonly edgeFirewall?: EdgeFirewallProps | false;
  /**
   * With a custom domain: an existing CLOUDFRONT web ACL (in us-east-1) to attach instead of creating one.
   *
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * A monthly AWS Budgets cost budget for the account, in US dollars; the
   * alarm e-mail (required with it) hears at 80 % actual and 100 % forecast.
   *
   * @default - none
   */
  readonly monthlyBudgetUsd?: number;
  /**
   * The consent page's "Sign in with …": a Cognito user pool the stack
   * creates, or a trusted OpenID Connect issuer; people are mapped to
   * tenants and roles with `npm run identities`.
   *
   * @default - none: people sign in with a human Conclave API key only
   */
  readonly upstreamIdentity?: UpstreamIdentityProps;
}

/** `operations_head` → `OperationsHead`: output ids must be alphanumeric. */
function pascal(id: string): string {
  return id
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Conclave on AWS. Composes one construct per concern; holds no resources of its own. */
export class ConclaveStack extends Stack {
  readonly table: ConclaveTable;
  readonly bus: ConclaveBus;
  readonly mcp: McpEndpoint;
  /** The console and the OAuth authorization server. */
  readonly web: WebEndpoint;
  /** Memory vectors (S3 Vectors); the MCP function writes and queries them. */
  readonly memoryVectors: MemoryVectors;
  readonly consumers: BusConsumers;
  readonly workflows: Workflows;
  readonly alarms: ConclaveAlarms;
  readonly dashboard: ConclaveDashboard;
  readonly autopilot: Autopilot;
  /** Present when `customDomain` is given. */
  readonly customDomain?: McpCustomDomain;
  /** Present when `upstreamIdentity` is given. */
  readonly upstreamIdentity?: UpstreamIdentity;
  /** Present when `customDomain` is given, unless the firewall is off or `webAclArn` names another. */
  readonly edgeFirewall?: EdgeFirewall;
  /** Present when `monthlyBudgetUsd` is given. */
  readonly costCeiling?: CostCeiling;

  constructor(scope: Construct, id: string, props: ConclaveStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const embeddingModelId = props.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID;
    this.table = new ConclaveTable(this, 'Data', { removalPolicy });
    this.bus = new ConclaveBus(this, 'Events', { archiveRetention: props.eventArchiveRetention ?? Duration.days(30) });
    this.mcp = new McpEndpoint(this, 'Mcp', {
      table: this.table.table,
      bus: this.bus.bus,
      allowedOrigins: props.allowedOrigins ?? [],
      allowedHosts: props.customDomain ? [props.customDomain.domainName] : [],
      staleAfterSeconds: props.staleAfterSeconds ?? 300,
      embeddingModelId,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
      ...(props.rateLimits ? { rateLimits: props.rateLimits } : {}),
      ...(props.mcpReservedConcurrency !== undefined ? { reservedConcurrency: props.mcpReservedConcurrency } : {}),
      // OAuth metadata names the custom domain when there is one (the Function URL keeps working with API keys and its own metadata otherwise).
      ...(props.customDomain ? { publicUrl: `https://${props.customDomain.domainName}` } : {}),
    });
    const publicUrl = props.customDomain ? `https://${props.customDomain.domainName}` : undefined;
    this.web = new WebEndpoint(this, 'Web', {
      table: this.table.table,
      bus: this.bus.bus,
      allowedHosts: props.customDomain ? [props.customDomain.domainName] : [],
      staleAfterSeconds: props.staleAfterSeconds ?? 300,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
      ...(props.webReservedConcurrency !== undefined ? { reservedConcurrency: props.webReservedConcurrency } : {}),
      ...(publicUrl ? { publicUrl } : {}),
    });
    // The protected-resource metadata names the authorization server: the custom domain both share, else the web Function URL.
    // (The Function URL ends with '/', which the runtime config drops.)
    this.mcp.function.addEnvironment(ENV.authorizationServerUrl, publicUrl ?? this.web.url);
    this.memoryVectors = new MemoryVectors(this, 'MemoryVectors', { removalPolicy });
    // The MCP tools store, search and forget memories (and run the pending-embedding retry path).
    this.memoryVectors.grantReadWrite(this.mcp.function);
    this.consumers = new BusConsumers(this, 'Consumers', {
      table: this.table.table,
      bus: this.bus.bus,
      embeddingModelId,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
      ...(props.consumerReservedConcurrency !== undefined ? { reservedConcurrency: props.consumerReservedConcurrency } : {}),
    });
    // The consumers that write memories (closed decisions) index their vectors at once, like the MCP tools; memories that
    // other functions store without a vector (postmortems from the workflow steps) are embedded and indexed by the MCP
    // function's pending-embedding retry path.
    for (const consumer of this.consumers.consumers) {
      if (CONSUMERS_THAT_EMBED.includes(consumer.spec.consumer)) this.memoryVectors.grantReadWrite(consumer.function);
    }

    this.workflows = new Workflows(this, 'Workflows', {
      table: this.table.table,
      bus: this.bus.bus,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    // The MCP tools start the three workflows, complete tasks (task callbacks) and show runs (reconciled with their executions).
    this.workflows.connect('Mcp', this.mcp.function, { start: WORKFLOWS, resume: true, describe: true, stop: WORKFLOWS });
    // The console completes approval tasks (task callbacks) and shows runs; it starts and stops none.
    this.workflows.connect('Web', this.web.function, { start: [], resume: true, describe: true });
    // Consumers start the escalation, collaborative-decision and incident runs and resume runs waiting on decisions.
    for (const consumer of this.consumers.consumers) {
      const access = CONSUMER_WORKFLOWS[consumer.spec.consumer];
      if (access) this.workflows.connect(consumer.spec.id, consumer.function, access);
    }

    this.autopilot = new Autopilot(this, 'Autopilot', {
      table: this.table.table,
      bus: this.bus.bus,
      ...(props.autopilotModelIds ? { modelIds: props.autopilotModelIds } : {}),
      ...(props.autopilotConcurrency ? { reservedConcurrency: props.autopilotConcurrency } : {}),
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    // The agents' tools start and resume runs like the MCP endpoint's; set_autopilot accepts the models the grant names.
    this.workflows.connect('Autopilot', this.autopilot.function, { start: WORKFLOWS, resume: true, describe: true });
    this.mcp.function.addEnvironment(ENV.autopilotModelIds, this.autopilot.modelIds.join(','));

    // What the alarms and the dashboard watch.
    const signals: ConclaveSignals = {
      mcpFunction: this.mcp.function,
      webFunction: this.web.function,
      functions: [
        { name: 'mcp', function: this.mcp.function },
        { name: 'web', function: this.web.function },
        ...this.consumers.consumers.map((c) => ({ name: `consumer-${c.spec.consumer}`, function: c.function })),
        ...MACHINES.map((m) => ({ name: `steps-${m.replace(/_/g, '-')}`, function: this.workflows.machines[m].stepFunction })),
        { name: 'autopilot', function: this.autopilot.function },
      ],
      consumers: this.consumers.consumers.map((c) => c.spec.consumer),
      deadLetterQueues: this.consumers.consumers.flatMap((c) => [
        { name: `${c.spec.consumer}-delivery`, queue: c.deliveryDeadLetterQueue },
        { name: `${c.spec.consumer}-processing`, queue: c.processingDeadLetterQueue },
      ]).concat([
        { name: 'autopilot-delivery', queue: this.autopilot.deliveryDeadLetterQueue },
        { name: 'autopilot-processing', queue: this.autopilot.processingDeadLetterQueue },
      ]),
      stateMachines: MACHINES.map((m) => ({ machine: m, stateMachine: this.workflows.machines[m].stateMachine })),
      embeddingModelId,
    };
    this.alarms = new ConclaveAlarms(this, 'Alarms', { signals, ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}) });
    this.dashboard = new ConclaveDashboard(this, 'Dashboard', { signals, alarms: [...this.alarms.alarms, ...this.autopilot.addAlarms(this.alarms.topic)] });
    if (props.customDomain) {
      // Requests that go around CloudFront to the Function URL are refused on this secret before any other work.
      const originSecret = new Secret(this, 'OriginSecret', {
        description: 'Conclave: the value CloudFront sends in x-conclave-origin-verify; the MCP function refuses requests without it',
        generateSecretString: { excludePunctuation: true, passwordLength: 48 },
        removalPolicy,
      });
      Validations.of(originSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'A shared origin-verification value, not a credential of any identity: it is resolved into the distribution and the function at deploy time; rotate it by redeploying after `aws secretsmanager put-secret-value`.',
      });
      const secretValue = originSecret.secretValue.unsafeUnwrap();
      this.mcp.requireOriginSecret(secretValue);
      this.web.requireOriginSecret(secretValue);
      if (props.edgeFirewall !== false && !props.webAclArn) this.edgeFirewall = new EdgeFirewall(this, 'EdgeFirewall', props.edgeFirewall ?? {});
      const webAclArn = props.webAclArn ?? this.edgeFirewall?.arn;
      this.customDomain = new McpCustomDomain(this, 'CustomDomain', {
        functionUrl: this.mcp.functionUrl,
        webFunctionUrl: this.web.functionUrl,
        ...props.customDomain,
        originSecret: secretValue,
        ...(webAclArn ? { webAclArn } : {}),
      });
    }
    if (props.upstreamIdentity) {
      // The consent page is the web function's: the callback is on the public base URL it builds its pages from, the custom
      // domain, else its Function URL (ending with '/').
      const callbackUrl = props.customDomain ? `https://${props.customDomain.domainName}${OIDC_CALLBACK_PATH}` : Fn.join('', [this.web.url, OIDC_CALLBACK_PATH.slice(1)]);
      this.upstreamIdentity = new UpstreamIdentity(this, 'Identity', { identity: props.upstreamIdentity, callbackUrl, removalPolicy });
      this.upstreamIdentity.grantTo(this.web.function);
      new CfnOutput(this, 'IdentityIssuer', { value: this.upstreamIdentity.issuer, description: 'The OpenID Connect issuer the consent page signs people in with' });
      new CfnOutput(this, 'IdentityCallbackUrl', { value: callbackUrl, description: 'The redirect (callback) URL registered at the identity provider' });
      if (this.upstreamIdentity.userPool) {
        new CfnOutput(this, 'CognitoUserPoolId', { value: this.upstreamIdentity.userPool.userPoolId, description: 'The user pool: create people and groups here, then map them with npm run identities' });
        new CfnOutput(this, 'CognitoHostedUiUrl', { value: this.upstreamIdentity.hostedUiUrl as string, description: 'The Cognito hosted sign-in UI' });
      }
    }
    if (props.monthlyBudgetUsd !== undefined) {
      if (!props.alarmEmail) throw new Error('monthlyBudgetUsd needs alarmEmail: the budget e-mails it');
      this.costCeiling = new CostCeiling(this, 'CostCeiling', { monthlyUsd: props.monthlyBudgetUsd, email: props.alarmEmail });
    }

    new CfnOutput(this, 'VectorIndexArn', {
      value: this.memoryVectors.index.attrIndexArn,
      description: 'The S3 Vectors index of memory vectors (npm run memory -- reembed --vector-index)',
    });
    new CfnOutput(this, 'FunctionUrl', { value: this.mcp.url, description: 'The MCP Function URL (root)' });
    new CfnOutput(this, 'WebFunctionUrl', { value: this.web.url, description: 'The web Function URL: the console and the OAuth authorization server' });
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.customDomain ? `${this.customDomain.url}console` : Fn.join('', [this.web.url, 'console']),
      description: "The board's console",
    });
    for (const endpoint of ENDPOINTS) {
      new CfnOutput(this, `${pascal(endpoint)}McpUrl`, {
        // The Function URL already ends with '/'.
        value: Fn.join('', [this.mcp.url, `mcp/${endpoint}`]),
        description: `MCP endpoint for ${endpoint}`,
      });
    }
    // OAuth discovery (RFC 9728 / RFC 8414): what claude.ai and other OAuth clients read; each endpoint also has /.well-known/oauth-protected-resource/mcp/<role>.
    // The resource metadata is the MCP function's, the authorization server the web function's (one host with a custom domain).
    new CfnOutput(this, 'OAuthProtectedResourceMetadataUrl', {
      value: Fn.join('', [this.customDomain ? this.customDomain.url : this.mcp.url, '.well-known/oauth-protected-resource']),
      description: 'RFC 9728 protected-resource metadata (root; per endpoint: append /mcp/<role>)',
    });
    new CfnOutput(this, 'OAuthAuthorizationServerMetadataUrl', {
      value: Fn.join('', [this.customDomain ? this.customDomain.url : this.web.url, '.well-known/oauth-authorization-server']),
      description: 'RFC 8414 authorization-server metadata (authorize, token, register, revoke endpoints)',
    });
    if (this.customDomain) {
      new CfnOutput(this, 'CustomDomainUrl', { value: this.customDomain.url, description: 'The MCP endpoints under the custom domain (root)' });
      new CfnOutput(this, 'DistributionDomainName', {
        value: this.customDomain.distribution.distributionDomainName,
        description: 'The CloudFront domain the custom domain must point to (CNAME or alias)',
      });
      for (const endpoint of ENDPOINTS) {
        new CfnOutput(this, `${pascal(endpoint)}CustomMcpUrl`, { value: `${this.customDomain.url}mcp/${endpoint}`, description: `MCP endpoint for ${endpoint} (custom domain)` });
      }
    }
    if (this.edgeFirewall) new CfnOutput(this, 'WebAclArn', { value: this.edgeFirewall.arn, description: 'The WAF web ACL on the distribution (rate rules per IP and per credential, AWS managed rules)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'The SNS topic every alarm notifies (subscribe more addresses or a chat integration)' });
    new CfnOutput(this, 'DashboardUrl', {
      value: Fn.join('', ['https://', Aws.REGION, '.console.aws.amazon.com/cloudwatch/home?region=', Aws.REGION, '#dashboards/dashboard/', this.dashboard.dashboard.dashboardName]),
      description: 'The CloudWatch dashboard',
    });
    new CfnOutput(this, 'TableName', {
      value: this.table.table.tableName,
      description: 'The Conclave table (npm run keys -- --table <name>)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.bus.eventBusName,
      description: "Conclave's EventBridge bus: write rules on it, send Integration.Alert.v1 events to it",
    });
  }
}
