import * as z from 'zod';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../contracts/embeddings.js';
import { ENV, STATE_MACHINE_ARN_ENV } from '../contracts/env.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_BOUNDS, type RateLimitName, type RateLimits } from '../contracts/rate-limits.js';
import { MACHINES, type MachineId } from '../contracts/workflows.js';
import { MODEL_ID_PATTERN } from '../contracts/autopilot.js';
import { DEFAULT_RETENTION, type Retention } from '../core/retention.js';

/** Raised at start-up when configuration is missing or invalid; names every problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const origins = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((o) => o.trim()).filter(Boolean));

/** A preset dev key: long enough not to be guessed, and one Bearer token. */
const DEV_KEY_PATTERN = /^[\x21-\x7e]{16,256}$/;

const staleAfter = z.coerce.number().int().positive().default(300);
const authCache = z.coerce.number().min(0).max(300).default(2);

const retention = {
  [ENV.auditRetentionDays]: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION.auditDays),
  [ENV.memoryVersionsKept]: z.coerce.number().int().min(1).max(1000).default(DEFAULT_RETENTION.memoryVersions),
  [ENV.memoryVersionDays]: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION.memoryVersionDays),
};

function retentionFrom(c: Record<string, unknown>): Retention {
  return { auditDays: Number(c[ENV.auditRetentionDays]), memoryVersions: Number(c[ENV.memoryVersionsKept]), memoryVersionDays: Number(c[ENV.memoryVersionDays]) };
}

const embeddingModel = z
  .string()
  .trim()
  .default(DEFAULT_EMBEDDING_MODEL_ID)
  .refine((id) => EMBEDDING_MODEL_ID_PATTERN.test(id), { message: 'expected a Titan Text Embeddings v2 model id such as amazon.titan-embed-text-v2:0' });

/** A boolean flag: `1`/`true` on, `0`/`false`/unset off. */
const flag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((value) => value === '1' || value === 'true');

/** A comma-separated list of model ids. */
const modelIds = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((m) => m.trim()).filter(Boolean))
  .refine((ids) => ids.every((id) => MODEL_ID_PATTERN.test(id)), { message: 'expected comma-separated model ids' });

/** A state machine ARN; optional: each function is given only the machines it starts or resumes. */
const stateMachineArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/, 'expected a state machine ARN')
  .optional();

/** One limit: a whole number within its bounds, or the stated default. */
const limit = (name: RateLimitName) => z.coerce.number().int().min(RATE_LIMIT_BOUNDS[name][0]).max(RATE_LIMIT_BOUNDS[name][1]).default(DEFAULT_RATE_LIMITS[name]);

/** The front door's limits: on unless `off`. */
const rateLimitFields = {
  [ENV.rateLimits]: z.enum(['on', 'off']).default('on'),
  [ENV.rateKeyPerMinute]: limit('keyPerMinute'),
  [ENV.rateTenantPerMinute]: limit('tenantPerMinute'),
  [ENV.rateBurst]: limit('burst'),
  [ENV.rateDailyToolCalls]: limit('dailyToolCalls'),
};

function rateLimitsOf(c: Record<string, unknown>): RateLimits | undefined {
  if (c[ENV.rateLimits] === 'off') return undefined;
  return {
    keyPerMinute: c[ENV.rateKeyPerMinute] as number,
    tenantPerMinute: c[ENV.rateTenantPerMinute] as number,
    burst: c[ENV.rateBurst] as number,
    dailyToolCalls: c[ENV.rateDailyToolCalls] as number,
  };
}

/** A public base URL: an absolute http(s) URL without path, query or fragment; stored without a trailing slash. */
const publicUrl = (schemes: readonly string[]) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined || isBaseUrl(value, schemes), { message: `expected ${schemes.join(' or ')}://host[:port] with no path` })
    .transform((value) => value?.replace(/\/$/, ''));

function isBaseUrl(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol.slice(0, -1)) && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** The upstream OpenID Connect provider's settings shared by both modes (README "Identity"). */
const oidcFields = {
  [ENV.oidcIssuer]: z.url({ protocol: /^https?$/ }).max(512).optional(),
  [ENV.oidcClientId]: z.string().min(1).max(256).optional(),
  [ENV.oidcName]: z.string().min(1).max(64).optional(),
  [ENV.oidcGroupsClaim]: z.string().min(1).max(128).default('groups'),
};

/** Where the consent page's "Sign in with …" goes: an OpenID Connect issuer and Conclave's client there. */
export interface UpstreamIdentityConfig {
  readonly issuer: string;
  /** The button's "Sign in with <name>". */
  readonly name: string;
  /** Absent in AWS when the client secret's JSON carries it (the stack's Cognito client). */
  readonly clientId: string | undefined;
  /** Local only: the client secret itself. */
  readonly clientSecret?: string;
  /** AWS only: the Secrets Manager secret holding the client secret (or `{client_id, client_secret}`). */
  readonly clientSecretId?: string;
  readonly groupsClaim: string;
  /** Local only: an issuer on loopback http is accepted. */
  readonly allowLoopbackHttp: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function upstreamIdentityOf(c: Record<string, unknown>, mode: 'aws' | 'local'): UpstreamIdentityConfig | undefined {
  const issuer = c[ENV.oidcIssuer] as string | undefined;
  const clientId = c[ENV.oidcClientId] as string | undefined;
  const clientSecret = mode === 'local' ? (c[ENV.oidcClientSecret] as string | undefined) : undefined;
  const clientSecretId = mode === 'aws' ? (c[ENV.oidcClientSecretId] as string | undefined) : undefined;
  const allowLoopbackHttp = mode === 'local' && c[ENV.oidcLoopbackIssuer] === true;
  if (!issuer) {
    if (clientId || clientSecret || clientSecretId) throw new ConfigError(`invalid configuration: ${ENV.oidcIssuer} is required with the other ${ENV.oidcIssuer.replace(/_ISSUER$/, '_*')} settings`);
    return undefined;
  }
  const url = new URL(issuer);
  if (url.protocol === 'http:' && !(allowLoopbackHttp && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new ConfigError(
      `invalid configuration: ${ENV.oidcIssuer} must be https${mode === 'local' ? ` (loopback http only with ${ENV.oidcLoopbackIssuer}=1, for local testing)` : ''}`,
    );
  }
  if (!clientId && !clientSecretId) throw new ConfigError(`invalid configuration: ${ENV.oidcIssuer} needs ${ENV.oidcClientId}`);
  return {
    issuer: issuer.replace(/\/$/, ''),
    name: (c[ENV.oidcName] as string | undefined) ?? url.host,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(clientSecretId ? { clientSecretId } : {}),
    groupsClaim: c[ENV.oidcGroupsClaim] as string,
    allowLoopbackHttp,
  };
}

const awsSchema = z.object({
  ...Object.fromEntries(MACHINES.map((m) => [STATE_MACHINE_ARN_ENV[m], stateMachineArn])),
  // The conformance fixtures serve a keyless endpoint: a deployment refuses to start with them asked for.
  [ENV.conformanceFixtures]: flag.refine((on) => !on, { message: 'the conformance fixtures are a local test flag, refused in AWS' }),
  [ENV.publicUrl]: publicUrl(['https']),
  [ENV.authorizationServerUrl]: publicUrl(['https']),
  // Loopback client metadata documents are a local test aid: a deployment never fetches from loopback.
  [ENV.oauthLoopbackClients]: flag.refine((on) => !on, { message: 'loopback OAuth clients are a local setting, refused in AWS' }),
  ...oidcFields,
  [ENV.oidcClientSecretId]: z.string().min(1).max(2048).optional(),
  // A plaintext client secret does not belong in a function's environment; the stack stores it in Secrets Manager.
  [ENV.oidcClientSecret]: z
    .string()
    .optional()
    .refine((value) => value === undefined, { message: 'a deployment reads the client secret from Secrets Manager (CONCLAVE_OIDC_CLIENT_SECRET_ID)' }),
  [ENV.oidcLoopbackIssuer]: flag.refine((on) => !on, { message: 'a loopback OpenID Connect issuer is a local setting, refused in AWS' }),
  [ENV.tableName]: z.string().min(1),
  [ENV.eventBusName]: z.string().min(1),
  [ENV.embeddingModelId]: embeddingModel,
  [ENV.vectorIndexArn]: z
    .string()
    .regex(/^arn:aws[a-z-]*:s3vectors:[a-z0-9-]+:\d{12}:bucket\/[a-z0-9.-]+\/index\/[a-z0-9.-]+$/, 'expected an S3 Vectors index ARN')
    .optional(),
  [ENV.allowedOrigins]: origins,
  [ENV.allowedHosts]: origins,
  [ENV.staleAfterSeconds]: staleAfter,
  [ENV.authCacheSeconds]: authCache,
  [ENV.autopilotModelIds]: modelIds,
  ...rateLimitFields,
  [ENV.originSecret]: z.string().min(32, 'the origin secret must be at least 32 characters').optional(),
  ...retention,
});

const localSchema = z.object({
  [ENV.port]: z.coerce.number().int().min(0).max(65535).default(8787),
  [ENV.dataDir]: z.string().min(1).default('.conclave'),
  [ENV.devKey]: z
    .string()
    .min(1)
    .optional()
    .refine((key) => key === undefined || DEV_KEY_PATTERN.test(key), {
      message: 'must be 16-256 visible ASCII characters without spaces (or unset it to have a key generated)',
    }),
  [ENV.publicHost]: origins,
  [ENV.adminKey]: z.string().min(1).max(200).optional(),
  [ENV.showKey]: z.enum(['0', '1', 'true', 'false']).optional(),
  [ENV.conformanceFixtures]: flag,
  [ENV.publicUrl]: publicUrl(['http', 'https']),
  [ENV.oauthLoopbackClients]: flag,
  ...oidcFields,
  [ENV.oidcClientSecret]: z.string().min(1).max(1024).optional(),
  [ENV.oidcLoopbackIssuer]: flag,
  [ENV.allowedOrigins]: origins,
  [ENV.staleAfterSeconds]: staleAfter,
  [ENV.authCacheSeconds]: authCache,
  [ENV.autopilotModelIds]: modelIds,
  [ENV.autopilotProvider]: z.enum(['off', 'bedrock', 'openai']).optional(),
  [ENV.autopilotOpenAiUrl]: z.url({ protocol: /^https?$/ }).optional(),
  [ENV.autopilotOpenAiKey]: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_PROFILE: z.string().optional(),
  AWS_CONTAINER_CREDENTIALS_FULL_URI: z.string().optional(),
  ...rateLimitFields,
  ...retention,
});

/** Where a local server's autopilot gets its model. */
export interface LocalAutopilotConfig {
  /** `off`: no agent wakes (the settings can still be set). */
  readonly provider: 'off' | 'bedrock' | 'openai';
  readonly openAiUrl?: string;
  readonly openAiKey?: string;
  readonly region?: string;
  /** Model ids set_autopilot accepts; empty: any. */
  readonly modelIds: string[];
}

export interface AwsConfig {
  readonly tableName: string;
  readonly eventBusName: string;
  /** The Bedrock model memories and queries are embedded with. */
  readonly embeddingModelId: string;
  /** The S3 Vectors index of memory vectors; absent on functions that neither search nor write memories. */
  readonly vectorIndexArn: string | undefined;
  readonly allowedOrigins: string[];
  /** Host names the endpoint answers to (the Function URL's and the custom domain); empty: any. */
  readonly allowedHosts: string[];
  readonly staleAfterMs: number;
  readonly authCacheMs: number;
  /** How long audit entries and memory versions are kept. */
  readonly retention: Retention;
  /** The state machines this function may start or resume (the others are absent). */
  readonly stateMachineArns: Partial<Record<MachineId, string>>;
  /** Model ids autopilot may use (the stack's IAM grant names exactly these). */
  readonly autopilotModelIds: string[];
  /** The front door's default limits; undefined when turned off. */
  readonly rateLimits: RateLimits | undefined;
  /** Set when CloudFront fronts the function: requests without it are refused. */
  readonly originSecret: string | undefined;
  /** The configured public base URL (a custom domain), or undefined: then the Function URL domain of each request. */
  readonly publicUrl: string | undefined;
  /** The OAuth authorization server's public base URL (the web function's), when it is not this function's own. */
  readonly authorizationServerUrl: string | undefined;
  /** The upstream OpenID Connect provider of the consent page; undefined: API-key sign-in only. */
  readonly upstreamIdentity: UpstreamIdentityConfig | undefined;
}

export interface LocalConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly devKey: string | undefined;
  /** Print the dev key and client commands on every start, not only the first. */
  readonly showKey: boolean;
  readonly allowedOrigins: string[];
  /** Public host names the server answers to besides its loopback names. */
  readonly publicHosts: string[];
  /** A human key with every role for the CLIs to present to a running server (else the data dir's admin token). */
  readonly adminKey: string | undefined;
  readonly staleAfterMs: number;
  readonly authCacheMs: number;
  /** How long audit entries and memory versions are kept. */
  readonly retention: Retention;
  /** Test-only: serve the conformance suite's fixtures on a keyless /mcp/conformance (functions/mcp/conformance-fixtures.ts). */
  readonly conformanceFixtures: boolean;
  readonly autopilot: LocalAutopilotConfig;
  /** The front door's default limits; undefined when turned off. */
  readonly rateLimits: RateLimits | undefined;
  /** The public base URL, when not the listen address (e.g. behind a tunnel). */
  readonly publicUrl: string | undefined;
  /** Accept loopback-http OAuth client metadata documents (CONCLAVE_OAUTH_LOOPBACK_CLIENTS). */
  readonly oauthLoopbackClients: boolean;
  /** The upstream OpenID Connect provider of the consent page; undefined: API-key sign-in only. */
  readonly upstreamIdentity: UpstreamIdentityConfig | undefined;
}

/** Local browser clients (MCP Inspector's UI) may call a local server. */
const LOCAL_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

function parse<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return result.data;
}

/** Reads the Lambda configuration once; fails fast naming what is missing. */
export function loadAwsConfig(env: Record<string, string | undefined> = process.env): AwsConfig {
  const c = parse(awsSchema, env);
  return {
    tableName: c[ENV.tableName],
    eventBusName: c[ENV.eventBusName],
    embeddingModelId: c[ENV.embeddingModelId],
    vectorIndexArn: c[ENV.vectorIndexArn],
    allowedOrigins: c[ENV.allowedOrigins],
    allowedHosts: c[ENV.allowedHosts],
    staleAfterMs: c[ENV.staleAfterSeconds] * 1000,
    authCacheMs: c[ENV.authCacheSeconds] * 1000,
    rateLimits: rateLimitsOf(c),
    originSecret: c[ENV.originSecret],
    publicUrl: c[ENV.publicUrl],
    authorizationServerUrl: c[ENV.authorizationServerUrl],
    upstreamIdentity: upstreamIdentityOf(c, 'aws'),
    retention: retentionFrom(c),
    stateMachineArns: Object.fromEntries(
      MACHINES.flatMap((m) => {
        const arn = (c as Record<string, unknown>)[STATE_MACHINE_ARN_ENV[m]];
        return typeof arn === 'string' ? [[m, arn]] : [];
      }),
    ),
    autopilotModelIds: c[ENV.autopilotModelIds],
  };
}

/** Reads the local-server configuration once (SPEC "Local run contract"). */
export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const c = parse(localSchema, env);
  return {
    port: c[ENV.port],
    dataDir: c[ENV.dataDir],
    devKey: c[ENV.devKey],
    showKey: c[ENV.showKey] === '1' || c[ENV.showKey] === 'true',
    allowedOrigins: [...LOCAL_ORIGINS, ...c[ENV.allowedOrigins]],
    publicHosts: c[ENV.publicHost],
    adminKey: c[ENV.adminKey],
    staleAfterMs: c[ENV.staleAfterSeconds] * 1000,
    authCacheMs: c[ENV.authCacheSeconds] * 1000,
    retention: retentionFrom(c),
    conformanceFixtures: c[ENV.conformanceFixtures],
    rateLimits: rateLimitsOf(c),
    publicUrl: c[ENV.publicUrl],
    oauthLoopbackClients: c[ENV.oauthLoopbackClients],
    upstreamIdentity: upstreamIdentityOf(c, 'local'),
    autopilot: localAutopilot(c),
  };
}

/**
 * The local autopilot's model: as asked (CONCLAVE_AUTOPILOT_PROVIDER), else an
 * OpenAI-compatible server when its URL is set, else Bedrock when AWS
 * credentials are present, else off.
 */
function localAutopilot(c: z.infer<typeof localSchema>): LocalAutopilotConfig {
  const openAiUrl = c[ENV.autopilotOpenAiUrl];
  const hasAws = Boolean(c.AWS_ACCESS_KEY_ID || c.AWS_PROFILE || c.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  const provider = c[ENV.autopilotProvider] ?? (openAiUrl ? 'openai' : hasAws ? 'bedrock' : 'off');
  if (provider === 'openai' && !openAiUrl) throw new ConfigError(`invalid configuration: ${ENV.autopilotProvider}=openai needs ${ENV.autopilotOpenAiUrl}`);
  return {
    provider,
    modelIds: c[ENV.autopilotModelIds],
    ...(openAiUrl ? { openAiUrl } : {}),
    ...(c[ENV.autopilotOpenAiKey] ? { openAiKey: c[ENV.autopilotOpenAiKey] } : {}),
    ...(c.AWS_REGION ? { region: c.AWS_REGION } : {}),
  };
}
