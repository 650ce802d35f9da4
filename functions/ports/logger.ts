/**
 * Structured logging port. Implementations emit one JSON object per call and
 * carry the correlation id of the current request. Callers must never pass secrets.
 */
export interface Log {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
