import type { MachineId } from './workflows.js';

/**
 * Names of the environment variables the runtime reads. The CDK stack sets
 * them (lib/) and the runtime config validates them (functions/runtime/config.ts);
 * nothing else reads process.env.
 */
export const ENV = {
  tableName: 'CONCLAVE_TABLE_NAME',
  eventBusName: 'CONCLAVE_EVENT_BUS_NAME',
  allowedOrigins: 'CONCLAVE_ALLOWED_ORIGINS',
  staleAfterSeconds: 'CONCLAVE_STALE_AFTER_SECONDS',
  authCacheSeconds: 'CONCLAVE_AUTH_CACHE_SECONDS',
  /** The Bedrock embedding model (Titan Text Embeddings v2); default in functions/contracts/embeddings.ts. */
  embeddingModelId: 'CONCLAVE_EMBEDDING_MODEL_ID',
  /** The S3 Vectors index holding memory vectors (set on the functions that search or write memories). */
  vectorIndexArn: 'CONCLAVE_VECTOR_INDEX_ARN',
  /** Host names the MCP endpoint answers to (comma-separated; `*.domain` and `name:*` allowed); others get 403. Unset: any. */
  allowedHosts: 'CONCLAVE_ALLOWED_HOSTS',
  /** The state machines a function starts or resumes (set only on the functions granted them; see STATE_MACHINE_ARN_ENV). */
  featureDevelopmentArn: 'CONCLAVE_FEATURE_DEVELOPMENT_SM_ARN',
  incidentResponseArn: 'CONCLAVE_INCIDENT_RESPONSE_SM_ARN',
  strategicPlanningArn: 'CONCLAVE_STRATEGIC_PLANNING_SM_ARN',
  escalationArn: 'CONCLAVE_ESCALATION_SM_ARN',
  collaborativeDecisionArn: 'CONCLAVE_COLLABORATIVE_DECISION_SM_ARN',
  /** Model ids autopilot may use (comma-separated); in AWS the stack sets it to the ids its IAM grant names. */
  autopilotModelIds: 'CONCLAVE_AUTOPILOT_MODEL_IDS',
  /** Local only: the autopilot's model server, `bedrock` or `openai` (an OpenAI-compatible server such as Ollama), or `off`. */
  autopilotProvider: 'CONCLAVE_AUTOPILOT_PROVIDER',
  /** Local only: the OpenAI-compatible server's base URL up to `/v1` (e.g. http://127.0.0.1:11434/v1 for Ollama). */
  autopilotOpenAiUrl: 'CONCLAVE_AUTOPILOT_OPENAI_URL',
  /** Local only: a bearer key for that server, if it needs one. */
  autopilotOpenAiKey: 'CONCLAVE_AUTOPILOT_OPENAI_KEY',
  /** The front door (functions/contracts/rate-limits.ts): `off` turns every limit off; each number overrides a default. */
  rateLimits: 'CONCLAVE_RATE_LIMITS',
  rateKeyPerMinute: 'CONCLAVE_RATE_KEY_PER_MINUTE',
  rateTenantPerMinute: 'CONCLAVE_RATE_TENANT_PER_MINUTE',
  rateBurst: 'CONCLAVE_RATE_BURST',
  rateDailyToolCalls: 'CONCLAVE_RATE_DAILY_TOOL_CALLS',
  /** AWS only, set when CloudFront fronts the function: the value CloudFront sends in x-conclave-origin-verify. */
  originSecret: 'CONCLAVE_ORIGIN_SECRET',
  /**
   * The public base URL (scheme://host[:port], no path) clients reach the
   * endpoints at: the OAuth metadata, challenges and consent page are built
   * from it, never from a request's Host header. AWS: set by the stack when a
   * custom domain is configured (otherwise the Function URL domain Lambda
   * reports for the request). Local: default the listen address.
   */
  publicUrl: 'CONCLAVE_PUBLIC_URL',
  /**
   * AWS, MCP function: the public base URL of the OAuth authorization server
   * (the web function's, or the custom domain), which the protected-resource
   * metadata names. Unset: the MCP function's own public base URL.
   */
  authorizationServerUrl: 'CONCLAVE_AUTHORIZATION_SERVER_URL',
  /** Local only: accept OAuth client metadata documents (and their redirect URIs) on loopback http, for testing clients locally. The AWS config refuses it. */
  oauthLoopbackClients: 'CONCLAVE_OAUTH_LOOPBACK_CLIENTS',
  /**
   * Upstream OpenID Connect sign-in on the consent page (README "Identity"):
   * the issuer URL (discovery at `<issuer>/.well-known/openid-configuration`),
   * Conclave's client id there, the name on the button, and the ID token
   * claim listing groups (default `groups`; the stack sets `cognito:groups`
   * for its user pool). Unset issuer: API-key sign-in only.
   */
  oidcIssuer: 'CONCLAVE_OIDC_ISSUER',
  oidcClientId: 'CONCLAVE_OIDC_CLIENT_ID',
  oidcName: 'CONCLAVE_OIDC_NAME',
  oidcGroupsClaim: 'CONCLAVE_OIDC_GROUPS_CLAIM',
  /** AWS only: the Secrets Manager secret (name or ARN) holding the client secret, or JSON `{"client_id", "client_secret"}`. */
  oidcClientSecretId: 'CONCLAVE_OIDC_CLIENT_SECRET_ID',
  /** Local only: the client secret itself (a deployment refuses it: it reads the secret from Secrets Manager). */
  oidcClientSecret: 'CONCLAVE_OIDC_CLIENT_SECRET',
  /** Local only: accept an issuer on loopback http (testing with a local provider). The AWS config refuses it. */
  oidcLoopbackIssuer: 'CONCLAVE_OIDC_LOOPBACK_ISSUER',
  /** Retention (functions/core/retention.ts): audit entries in days, memory versions by count and days. */
  auditRetentionDays: 'CONCLAVE_AUDIT_RETENTION_DAYS',
  memoryVersionsKept: 'CONCLAVE_MEMORY_VERSIONS_KEPT',
  memoryVersionDays: 'CONCLAVE_MEMORY_VERSION_DAYS',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  // Local mode only.
  port: 'PORT',
  dataDir: 'CONCLAVE_DATA_DIR',
  devKey: 'CONCLAVE_DEV_KEY',
  showKey: 'CONCLAVE_SHOW_KEY',
  /** Public host names a local server also answers to, besides 127.0.0.1, localhost and [::1] with its port (comma-separated). */
  publicHost: 'CONCLAVE_PUBLIC_HOST',
  /** For `npm run keys`/`memory` against a running server: a human key with every role, instead of the data dir's admin token. */
  adminKey: 'CONCLAVE_ADMIN_KEY',
  /** Test-only: serve the MCP conformance suite's fixtures on /mcp/conformance (local only; the AWS config refuses it). */
  conformanceFixtures: 'CONCLAVE_CONFORMANCE_FIXTURES',
} as const;

/** The variable holding each state machine's ARN. */
export const STATE_MACHINE_ARN_ENV: Readonly<Record<MachineId, string>> = {
  feature_development: ENV.featureDevelopmentArn,
  incident_response: ENV.incidentResponseArn,
  strategic_planning: ENV.strategicPlanningArn,
  escalation: ENV.escalationArn,
  collaborative_decision: ENV.collaborativeDecisionArn,
};
