import type { Deps } from '../context.js';
import { accessTokenGrant } from '../oauth/model.js';
import { authenticateAccessToken } from '../oauth/tokens.js';
import type { Principal } from '../principal.js';
import { authenticate as authenticateApiKey } from './api-keys.js';

/**
 * The one authenticator behind every endpoint (and the auth cache): a bearer
 * credential is either an OAuth access token (`cat_…`, resolved through its
 * grant) or an API key; both become the same Principal. Throws
 * UnauthenticatedError for anything missing, unknown, expired or revoked.
 */
export async function authenticateBearer(deps: Deps, presented: string | undefined): Promise<Principal> {
  if (presented !== undefined && accessTokenGrant(presented) !== undefined) return authenticateAccessToken(deps, presented);
  return authenticateApiKey(deps, presented);
}
