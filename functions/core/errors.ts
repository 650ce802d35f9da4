/**
 * Domain errors. The errors adapters raise (precondition failed, dependency
 * failed, bad task token, malformed event, invalid input) are defined with
 * the ports (functions/ports/errors.ts) and re-exported here, so the core has
 * one place to import every error from.
 */
import { ConclaveError } from '../ports/errors.js';

export { ConclaveError, DependencyError, MalformedEventError, PreconditionFailedError, TaskTokenError, ValidationError } from '../ports/errors.js';

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
