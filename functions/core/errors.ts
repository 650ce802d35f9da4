/**
 * Domain errors. Each carries a stable `code` that the MCP layer maps to a
 * tool error result (or, at the HTTP edge, a status code); `cause` is kept
 * for logs and never shown to clients.
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

/** The input is well-formed JSON but not acceptable (wrong value, unknown id). */
export class ValidationError extends ConclaveError {
  override name = 'ValidationError';
  readonly code = 'invalid_input';
}

/** The named entity does not exist for this tenant. */
export class NotFoundError extends ConclaveError {
  override name = 'NotFoundError';
  readonly code = 'not_found';
}

/** The principal may not do this (wrong role, not human, revoked key). */
export class ForbiddenError extends ConclaveError {
  override name = 'ForbiddenError';
  readonly code = 'forbidden';
}

/** No valid credential was presented. */
export class UnauthenticatedError extends ConclaveError {
  override name = 'UnauthenticatedError';
  readonly code = 'unauthenticated';
}

/** The request conflicts with the current state (duplicate, closed, concurrent change). */
export class ConflictError extends ConclaveError {
  override name = 'ConflictError';
  readonly code = 'conflict';
}

/**
 * A store write's precondition did not hold. Raised by Store adapters; use
 * cases translate it into a ConflictError or retry.
 */
export class PreconditionFailedError extends ConclaveError {
  override name = 'PreconditionFailedError';
  readonly code = 'precondition_failed';
}

/** A dependency (store, bus, model) failed after retries. */
export class DependencyError extends ConclaveError {
  override name = 'DependencyError';
  readonly code = 'dependency_failed';
}

/** A received event does not match its contract; retrying cannot help, so it goes to the dead-letter path. */
export class MalformedEventError extends ConclaveError {
  override name = 'MalformedEventError';
  readonly code = 'malformed_event';
}
