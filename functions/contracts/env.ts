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
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  // Local mode only.
  port: 'PORT',
  dataDir: 'CONCLAVE_DATA_DIR',
  devKey: 'CONCLAVE_DEV_KEY',
  showKey: 'CONCLAVE_SHOW_KEY',
} as const;
