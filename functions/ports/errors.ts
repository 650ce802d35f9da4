/**
 * The errors adapters raise through the ports. They live with the ports so
 * adapters import only ports and contracts; the core re-exports them from
 * functions/core/errors.ts next to its own domain errors. Each carries a
 * stable `code` that the MCP layer maps to a tool error result (or, at the
 * HTTP edge, a status code); `cause` is kept for logs and never shown.
 */
export abstract class ConclaveError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

// Each subclass names itself with a literal: the Lambda bundles are minified, which
// renames classes, and the name is what Step Functions' Retry/Catch match on
// (e.g. "DependencyError" in statemachines/*.asl.json) and what logs show.

/** The input is well-formed JSON but not acceptable (wrong value, unknown id, a page cursor not ours). */
export class ValidationError extends ConclaveError {
  override name = 'ValidationError';
  readonly code = 'invalid_input';
}

/**
 * A store write's precondition did not hold. Raised by Store adapters; use
 * cases translate it into a ConflictError or retry (see core/versioned.ts).
 */
export class PreconditionFailedError extends ConclaveError {
  override name = 'PreconditionFailedError';
  readonly code = 'precondition_failed';
}

/** A dependency (store, bus, model, workflow engine) failed after retries. */
export class DependencyError extends ConclaveError {
  override name = 'DependencyError';
  readonly code = 'dependency_failed';
}

/** A received event does not match its contract; retrying cannot help, so it goes to the dead-letter path. */
export class MalformedEventError extends ConclaveError {
  override name = 'MalformedEventError';
  readonly code = 'malformed_event';
}

/**
 * The workflow engine refused a task token: unknown, already used, or its
 * Task state timed out. The run has moved on (or ended) without this token.
 */
export class TaskTokenError extends ConclaveError {
  override name = 'TaskTokenError';
  readonly code = 'task_token_invalid';
}
