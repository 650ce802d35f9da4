/**
 * Reads the CDK context bin/app.ts is given into typed stack props,
 * validating every value and naming the key at fault. Pure: it sees the
 * context only through `read`, so it is tested without an app.
 *
 * Context (cdk.json or `-c key=value`), each optional:
 * - `logRetentionDays`          days Lambda and workflow logs are kept; a CloudWatch Logs value (default 30)
 * - `allowedOrigins`            comma-separated browser origins allowed to call /mcp (default none)
 * - `removalPolicy`             `retain` (default) or `destroy` for the table, log groups and dead-letter queues
 * - `staleAfterSeconds`         seconds without a heartbeat before an agent is stale (default 300)
 * - `embeddingModelId`          the Bedrock Titan Text Embeddings v2 model for memories (default amazon.titan-embed-text-v2:0)
 * - `autopilotModelIds`         comma-separated Bedrock model (or inference profile) ids autopilot may use; Converse is granted on these only
 * - `autopilotConcurrency`      autopilot agents running at once (reserved concurrency; default 5)
 * - `alarmEmail`                an address the alarm topic e-mails (default none: subscribe to AlarmTopicArn yourself)
 * - `customDomainName`          serve the endpoints at https://<name>/ through CloudFront (default none)
 * - `customDomainCertificateArn` the ACM certificate (us-east-1) for it; required with customDomainName
 * - `customDomainHostedZoneId`  a Route 53 zone to create the alias records in (default none: point a CNAME yourself)
 * - `rateLimits`                `off` serves without the front door's limits (default on)
 * - `rateKeyPerMinute`, `rateTenantPerMinute`, `rateBurst`, `rateDailyToolCalls`
 *                               the default limits (120, 600, 20, 20000); each tenant's board may override them
 * - `mcpReservedConcurrency`    executions reserved for the MCP function, or `none` (default 100)
 * - `consumerReservedConcurrency` executions reserved for each bus consumer, or `none` (default 10)
 * - `webReservedConcurrency`    executions reserved for the web function (console, OAuth), or `none` (default 10)
 * - `waf`                       `off` attaches no web ACL to the custom domain's distribution (default on)
 * - `wafRequestsPerIp`, `wafRequestsPerCredential` the web ACL's rate rules per 5 minutes (3000, 1500)
 * - `webAclArn`                 attach this CLOUDFRONT web ACL (us-east-1) instead of creating one
 * - `monthlyBudgetUsd`          an AWS Budgets cost budget e-mailing alarmEmail at 80 % actual / 100 % forecast
 * - `identity`                  the consent page's "Sign in with …": `cognito` (a user pool the stack creates) or `oidc` (a trusted issuer); default none (API keys only)
 * - `cognitoDomainPrefix`       with identity=cognito: the hosted UI's domain prefix (default conclave-<account id>)
 * - `oidcIssuer`, `oidcClientId` with identity=oidc: the https issuer and Conclave's client id there (both required)
 * - `oidcClientSecretArn`       with identity=oidc: the Secrets Manager secret holding the client secret (default none: a public PKCE client)
 * - `oidcName`, `oidcGroupsClaim` with identity=oidc: the button's name (default the issuer host) and the groups claim (default groups)
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../functions/contracts/embeddings.js';
import { MODEL_ID_PATTERN } from '../functions/contracts/autopilot.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_BOUNDS, type RateLimits } from '../functions/contracts/rate-limits.js';
import type { ConclaveStackProps } from '../lib/conclave-stack.js';
import type { EdgeFirewallProps } from '../lib/constructs/edge-firewall.js';
import { ALARM_EMAIL_PATTERN } from '../lib/constructs/alarms.js';
import { CUSTOM_DOMAIN_PATTERNS } from '../lib/constructs/custom-domain.js';
import { UPSTREAM_IDENTITY_PATTERNS as ID, type UpstreamIdentityProps } from '../lib/constructs/upstream-identity.js';

/** A context value that cannot be used; the message names the key and what it expects. */
export class ContextError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`invalid context "${key}": ${message}`);
    this.name = 'ContextError';
  }
}

/** The stack props the context describes (keys absent from the context keep the stack's defaults). */
export function stackPropsFromContext(read: (key: string) => unknown): ConclaveStackProps {
  const context = (key: string): unknown => {
    const value = read(key);
    return value === '' || value === null ? undefined : value;
  };
  const text = (key: string): string | undefined => {
    const raw = context(key);
    return raw === undefined ? undefined : String(raw).trim() || undefined;
  };

  const positiveInteger = (key: string, fallback: number): number => {
    const raw = context(key);
    if (raw === undefined) return fallback;
    const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(value) || value <= 0) throw new ContextError(key, `expected a positive whole number, got ${JSON.stringify(raw)}`);
    return value;
  };

  const logRetention = (): RetentionDays => {
    const days = positiveInteger('logRetentionDays', 30);
    const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
    if (!allowed.includes(days)) throw new ContextError('logRetentionDays', `CloudWatch Logs accepts ${allowed.join(', ')}; got ${days}`);
    return days as RetentionDays;
  };

  const allowedOrigins = (): string[] => {
    const raw = context('allowedOrigins');
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
    const origins = list.map((o) => o.trim()).filter(Boolean);
    for (const origin of origins) {
      if (!/^https?:\/\/[^/\s,]+$/.test(origin)) throw new ContextError('allowedOrigins', `"${origin}" is not an origin (scheme://host[:port], no path)`);
    }
    return origins;
  };

  const embeddingModelId = (): string => {
    const id = text('embeddingModelId') ?? DEFAULT_EMBEDDING_MODEL_ID;
    if (!EMBEDDING_MODEL_ID_PATTERN.test(id)) {
      throw new ContextError('embeddingModelId', `expected a Titan Text Embeddings v2 model id such as ${DEFAULT_EMBEDDING_MODEL_ID}, got ${JSON.stringify(id)}`);
    }
    return id;
  };

  const removalPolicy = (): RemovalPolicy => {
    const raw = text('removalPolicy') ?? 'retain';
    switch (raw.toLowerCase()) {
      case 'retain':
        return RemovalPolicy.RETAIN;
      case 'destroy':
        return RemovalPolicy.DESTROY;
      default:
        throw new ContextError('removalPolicy', `expected "retain" or "destroy", got ${JSON.stringify(raw)}`);
    }
  };

  const alarmEmail = (): string | undefined => {
    const email = text('alarmEmail');
    if (email !== undefined && !ALARM_EMAIL_PATTERN.test(email)) throw new ContextError('alarmEmail', `expected one e-mail address, got ${JSON.stringify(email)}`);
    return email;
  };

  const customDomain = (): ConclaveStackProps['customDomain'] => {
    const domainName = text('customDomainName')?.toLowerCase();
    const certificateArn = text('customDomainCertificateArn');
    const hostedZoneId = text('customDomainHostedZoneId');
    if (domainName === undefined) {
      for (const key of ['customDomainCertificateArn', 'customDomainHostedZoneId'] as const) {
        if (text(key) !== undefined) throw new ContextError(key, 'given without customDomainName');
      }
      return undefined;
    }
    if (!CUSTOM_DOMAIN_PATTERNS.domainName.test(domainName)) throw new ContextError('customDomainName', `expected a host name such as mcp.example.com, got ${JSON.stringify(domainName)}`);
    if (certificateArn === undefined) throw new ContextError('customDomainCertificateArn', 'required with customDomainName: an issued ACM certificate in us-east-1 covering it');
    if (!CUSTOM_DOMAIN_PATTERNS.certificateArn.test(certificateArn)) {
      throw new ContextError('customDomainCertificateArn', `expected an ACM certificate ARN in us-east-1 (CloudFront uses no other region), got ${JSON.stringify(certificateArn)}`);
    }
    if (hostedZoneId !== undefined && !CUSTOM_DOMAIN_PATTERNS.hostedZoneId.test(hostedZoneId)) {
      throw new ContextError('customDomainHostedZoneId', `expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, got ${JSON.stringify(hostedZoneId)}`);
    }
    return { domainName, certificateArn, ...(hostedZoneId ? { hostedZoneId } : {}) };
  };

  const autopilotModelIds = (): string[] | undefined => {
    const raw = context('autopilotModelIds');
    if (raw === undefined) return undefined;
    const ids = (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((m) => m.trim()).filter(Boolean);
    for (const id of ids) {
      if (!MODEL_ID_PATTERN.test(id) || id.includes('*')) throw new ContextError('autopilotModelIds', `"${id}" is not a Bedrock model id (no wildcards)`);
    }
    return ids.length ? ids : undefined;
  };

  const onOff = (key: string): boolean => {
    const raw = text(key)?.toLowerCase() ?? 'on';
    if (raw !== 'on' && raw !== 'off') throw new ContextError(key, `expected "on" or "off", got ${JSON.stringify(raw)}`);
    return raw === 'on';
  };

  const wholeNumberIn = (key: string, fallback: number, [min, max]: readonly [number, number]): number => {
    const value = positiveInteger(key, fallback);
    if (value < min || value > max) throw new ContextError(key, `expected a whole number from ${min} to ${max}, got ${value}`);
    return value;
  };

  const rateLimits = (): RateLimits | 'off' => {
    if (!onOff('rateLimits')) return 'off';
    return {
      keyPerMinute: wholeNumberIn('rateKeyPerMinute', DEFAULT_RATE_LIMITS.keyPerMinute, RATE_LIMIT_BOUNDS.keyPerMinute),
      tenantPerMinute: wholeNumberIn('rateTenantPerMinute', DEFAULT_RATE_LIMITS.tenantPerMinute, RATE_LIMIT_BOUNDS.tenantPerMinute),
      burst: wholeNumberIn('rateBurst', DEFAULT_RATE_LIMITS.burst, RATE_LIMIT_BOUNDS.burst),
      dailyToolCalls: wholeNumberIn('rateDailyToolCalls', DEFAULT_RATE_LIMITS.dailyToolCalls, RATE_LIMIT_BOUNDS.dailyToolCalls),
    };
  };

  const reserved = (key: string, fallback: number): number | 'none' => {
    if (text(key)?.toLowerCase() === 'none') return 'none';
    return wholeNumberIn(key, fallback, [1, 10_000]);
  };

  const edgeFirewall = (): EdgeFirewallProps | false => {
    if (!onOff('waf')) return false;
    return {
      requestsPerIpPer5Min: wholeNumberIn('wafRequestsPerIp', 3000, [10, 2_000_000_000]),
      requestsPerCredentialPer5Min: wholeNumberIn('wafRequestsPerCredential', 1500, [10, 2_000_000_000]),
    };
  };

  const webAclArn = (): string | undefined => {
    const arn = text('webAclArn');
    if (arn !== undefined && !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[A-Za-z0-9_-]+\/[0-9a-f-]{36}$/.test(arn)) {
      throw new ContextError('webAclArn', `expected a CLOUDFRONT (global) web ACL ARN in us-east-1, got ${JSON.stringify(arn)}`);
    }
    return arn;
  };

  const monthlyBudgetUsd = (): number | undefined => {
    if (context('monthlyBudgetUsd') === undefined) return undefined;
    const amount = positiveInteger('monthlyBudgetUsd', 0);
    if (alarmEmail() === undefined) throw new ContextError('monthlyBudgetUsd', 'needs alarmEmail: the budget e-mails that address');
    return amount;
  };

  const upstreamIdentity = (): UpstreamIdentityProps | undefined => {
    const kind = text('identity')?.toLowerCase();
    const cognitoKeys = ['cognitoDomainPrefix'] as const;
    const oidcKeys = ['oidcIssuer', 'oidcClientId', 'oidcClientSecretArn', 'oidcName', 'oidcGroupsClaim'] as const;
    const refuseOthers = (keys: readonly string[], why: string) => {
      for (const key of keys) if (text(key) !== undefined) throw new ContextError(key, why);
    };
    const checked = (key: string, pattern: RegExp, expected: string): string | undefined => {
      const value = text(key);
      if (value !== undefined && !pattern.test(value)) throw new ContextError(key, `expected ${expected}, got ${JSON.stringify(value)}`);
      return value;
    };
    if (kind === undefined || kind === 'none') {
      refuseOthers([...cognitoKeys, ...oidcKeys], 'given without identity=cognito or identity=oidc');
      return undefined;
    }
    if (kind === 'cognito') {
      refuseOthers(oidcKeys, 'belongs to identity=oidc, not identity=cognito');
      const prefix = checked('cognitoDomainPrefix', ID.cognitoDomainPrefix, 'a domain prefix of lowercase letters, digits and hyphens');
      if (prefix && /aws|amazon|cognito/.test(prefix)) throw new ContextError('cognitoDomainPrefix', 'Cognito refuses prefixes containing aws, amazon or cognito');
      return { kind: 'cognito', ...(prefix ? { domainPrefix: prefix } : {}) };
    }
    if (kind !== 'oidc') throw new ContextError('identity', `expected "cognito", "oidc" or "none", got ${JSON.stringify(kind)}`);
    refuseOthers(cognitoKeys, 'belongs to identity=cognito, not identity=oidc');
    const issuer = checked('oidcIssuer', ID.issuer, 'an https issuer URL such as https://login.example.com/oauth2/default');
    const clientId = checked('oidcClientId', ID.clientId, 'a client id of visible characters');
    if (!issuer) throw new ContextError('oidcIssuer', 'required with identity=oidc: the https issuer URL (its /.well-known/openid-configuration is read)');
    if (!clientId) throw new ContextError('oidcClientId', "required with identity=oidc: Conclave's client id at the issuer");
    const secretArn = checked('oidcClientSecretArn', ID.secretArn, 'a Secrets Manager secret ARN');
    const name = checked('oidcName', ID.name, 'a short name without <, >, " or &');
    const groupsClaim = checked('oidcGroupsClaim', ID.groupsClaim, 'a claim name such as groups');
    return { kind: 'oidc', issuer, clientId, ...(secretArn ? { clientSecretArn: secretArn } : {}), ...(name ? { name } : {}), ...(groupsClaim ? { groupsClaim } : {}) };
  };

  const email = alarmEmail();
  const identity = upstreamIdentity();
  const models = autopilotModelIds();
  const domain = customDomain();
  const budget = monthlyBudgetUsd();
  const acl = webAclArn();
  return {
    logRetention: logRetention(),
    allowedOrigins: allowedOrigins(),
    removalPolicy: removalPolicy(),
    staleAfterSeconds: positiveInteger('staleAfterSeconds', 300),
    embeddingModelId: embeddingModelId(),
    ...(models ? { autopilotModelIds: models } : {}),
    ...(context('autopilotConcurrency') !== undefined ? { autopilotConcurrency: positiveInteger('autopilotConcurrency', 5) } : {}),
    ...(email ? { alarmEmail: email } : {}),
    ...(domain ? { customDomain: domain } : {}),
    rateLimits: rateLimits(),
    mcpReservedConcurrency: reserved('mcpReservedConcurrency', 100),
    consumerReservedConcurrency: reserved('consumerReservedConcurrency', 10),
    webReservedConcurrency: reserved('webReservedConcurrency', 10),
    edgeFirewall: edgeFirewall(),
    ...(acl ? { webAclArn: acl } : {}),
    ...(budget !== undefined ? { monthlyBudgetUsd: budget } : {}),
    ...(identity ? { upstreamIdentity: identity } : {}),
  };
}
