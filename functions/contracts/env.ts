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
  /** The state machines a function starts or resumes (set only on the functions granted them; see STATE_MACHINE_ARN_ENV). */
  featureDevelopmentArn: 'CONCLAVE_FEATURE_DEVELOPMENT_SM_ARN',
  incidentResponseArn: 'CONCLAVE_INCIDENT_RESPONSE_SM_ARN',
  strategicPlanningArn: 'CONCLAVE_STRATEGIC_PLANNING_SM_ARN',
  escalationArn: 'CONCLAVE_ESCALATION_SM_ARN',
  collaborativeDecisionArn: 'CONCLAVE_COLLABORATIVE_DECISION_SM_ARN',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  // Local mode only.
  port: 'PORT',
  dataDir: 'CONCLAVE_DATA_DIR',
  devKey: 'CONCLAVE_DEV_KEY',
  showKey: 'CONCLAVE_SHOW_KEY',
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
