import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../ports/logger.js';

/** Keys whose values are never logged, whatever the caller passes. */
const REDACTED = /authorization|api[-_]?key|secret|token|password/i;

function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, REDACTED.test(k) ? '[redacted]' : v]));
}

/** The Log port over the Powertools logger (structured JSON, Lambda context when present). */
export function powertoolsLog(logger: Logger): Log {
  return {
    debug: (message, fields) => logger.debug(message, redact(fields) ?? {}),
    info: (message, fields) => logger.info(message, redact(fields) ?? {}),
    warn: (message, fields) => logger.warn(message, redact(fields) ?? {}),
    error: (message, fields) => logger.error(message, redact(fields) ?? {}),
  };
}

/** A logger named by POWERTOOLS_SERVICE_NAME (set per function by the stack) unless a name is given. */
export function createLogger(serviceName?: string): Logger {
  return new Logger(serviceName ? { serviceName } : {});
}
