import { BOARD, type EndpointId } from '../../contracts/roles.js';
import { expiresAt } from '../../contracts/table.js';
import type { ClientMetadataFetcher } from '../../ports/client-metadata.js';
import type { Deps } from '../context.js';
import type { Principal } from '../principal.js';
import { resolveClient, type ClientLimits, type OAuthClient } from './clients.js';
import { OAUTH_LIFETIMES, OAuthError, PKCE_CHALLENGE, auditOAuth, newCode, newGrantId, parseScope, sha256Hex } from './model.js';
import { codeCodec } from './records.js';

/** What the authorization server needs besides Deps. */
export interface OAuthContext {
  readonly fetcher: ClientMetadataFetcher;
  readonly limits: ClientLimits;
  /** The issuer URL (RFC 8414), sent back as `iss` with the code (RFC 9207). */
  readonly issuer: string;
  /** The roles a resource indicator (RFC 8707) covers: one endpoint's role, every role for the root, undefined when it is not ours. */
  readonly resourceRoles: (resource: string) => readonly EndpointId[] | undefined;
}

/** A validated authorization request, ready for the consent page. */
export interface AuthorizationRequest {
  readonly client: OAuthClient;
  readonly redirectUri: string;
  readonly state?: string;
  readonly codeChallenge: string;
  /** The resources the token will be bound to. */
  readonly resources: readonly string[];
  /** The roles asked for, within what the resources cover. */
  readonly roles: readonly EndpointId[];
}

/**
 * The outcome of checking an authorization request (RFC 6749 §4.1.1 and
 * §4.1.2.1): errors about the client or its redirect URI are shown on a page
 * and never redirected (the URI is not trusted yet); every later error goes
 * back to the client's registered redirect URI with `state`.
 */
export type AuthorizationCheck =
  | { readonly kind: 'ok'; readonly request: AuthorizationRequest }
  | { readonly kind: 'page-error'; readonly status: number; readonly message: string }
  | { readonly kind: 'redirect-error'; readonly location: string };

const MAX_STATE = 1024;

/** Checks the parameters of an authorization request (the same on the GET that shows the page and the POST that answers it). */
export async function checkAuthorizationRequest(deps: Deps, ctx: OAuthContext, params: URLSearchParams): Promise<AuthorizationCheck> {
  let client: OAuthClient;
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method', 'scope']) {
    if (params.getAll(name).length > 1) return { kind: 'page-error', status: 400, message: `the parameter ${name} appears more than once` };
  }
  try {
    client = await resolveClient(deps, ctx.fetcher, ctx.limits, params.get('client_id'));
  } catch (error) {
    if (error instanceof OAuthError) return { kind: 'page-error', status: 400, message: `This application is not known to Conclave (${error.description}).` };
    throw error;
  }
  const redirectUri = params.get('redirect_uri');
  // Exact string comparison (OAuth 2.1 §4.1.3): no normalization, no prefix, no default when several are registered.
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return { kind: 'page-error', status: 400, message: 'The redirect URI does not exactly match one registered by this application, so Conclave will not send you there.' };
  }
  const state = params.get('state') ?? undefined;
  const fail = (error: string, description: string): AuthorizationCheck => ({
    kind: 'redirect-error',
    location: errorRedirect(redirectUri, error, description, state !== undefined && state.length <= MAX_STATE ? state : undefined, ctx.issuer),
  });
  if (state !== undefined && state.length > MAX_STATE) return fail('invalid_request', `state is longer than ${MAX_STATE} characters`);
  if (params.get('response_type') !== 'code') return fail('unsupported_response_type', 'only response_type=code is supported');
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (!challenge) return fail('invalid_request', 'code_challenge is required (PKCE)');
  if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256 (plain is not supported)');
  if (!PKCE_CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge must be 43 base64url characters');
  const resources = [...new Set(params.getAll('resource'))];
  if (resources.length > 10) return fail('invalid_target', 'at most 10 resources');
  const covered = new Set<EndpointId>();
  for (const resource of resources) {
    const roles = ctx.resourceRoles(resource);
    if (!roles) return fail('invalid_target', `${resource.slice(0, 200)} is not a Conclave endpoint`);
    roles.forEach((r) => covered.add(r));
  }
  let asked: EndpointId[] | undefined;
  try {
    asked = parseScope(params.get('scope'));
  } catch (error) {
    if (error instanceof OAuthError) return fail(error.code, error.description);
    throw error;
  }
  const roles = resources.length === 0 ? (asked ?? []) : (asked ?? [...covered]).filter((r) => covered.has(r));
  if (roles.length === 0) return fail('invalid_scope', resources.length === 0 ? 'name the roles in scope or the endpoint in resource' : 'the scope names no role of the requested resource');
  return { kind: 'ok', request: { client, redirectUri, ...(state !== undefined ? { state } : {}), codeChallenge: challenge, resources, roles } };
}

/** The redirect carrying an error back to the client (RFC 6749 §4.1.2.1, with `iss` per RFC 9207). */
export function errorRedirect(redirectUri: string, error: string, description: string, state: string | undefined, issuer: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (state !== undefined) url.searchParams.set('state', state);
  url.searchParams.set('iss', issuer);
  return url.href;
}

/** The roles a signer may grant: what was asked for and the signer holds; the board only to a human. */
export function grantableRoles(request: AuthorizationRequest, signer: Principal): EndpointId[] {
  return request.roles.filter((r) => signer.roles.includes(r) && (r !== BOARD || signer.human));
}

/** A signer who signed in through the upstream identity provider: the identity mappings the grant depends on (functions/core/identity). */
export interface UpstreamSigner {
  readonly mappings: readonly string[];
}

/**
 * The signer approved: stores a one-minute, single-use code bound to the
 * client, the exact redirect URI, the PKCE challenge, the resources and the
 * granted roles (and, for an upstream signer, the mappings that must stay
 * in place), and returns where to send the browser. Throws
 * `access_denied` when the signer may act as none of the roles asked for.
 */
export async function approveAuthorization(deps: Deps, ctx: OAuthContext, request: AuthorizationRequest, signer: Principal, correlationId: string, upstream?: UpstreamSigner): Promise<string> {
  const roles = grantableRoles(request, signer);
  const audit = { tenantId: signer.tenantId, keyId: signer.keyId, clientId: request.client.clientId, correlationId };
  if (roles.length === 0) {
    await auditOAuth(deps, { ...audit, roles: request.roles, action: 'oauth:authorize', outcome: 'error', errorCode: 'access_denied' });
    throw new OAuthError('access_denied', `this key may not act as ${request.roles.join(', ')}${request.roles.includes(BOARD) && !signer.human ? ' (the board needs a human)' : ''}`);
  }
  const code = newCode();
  const now = deps.clock.now();
  const grantId = newGrantId(signer.keyId);
  await deps.store.put(
    codeCodec(sha256Hex(code)).encode({
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      resources: [...request.resources],
      roles,
      tenantId: signer.tenantId,
      keyId: signer.keyId,
      human: signer.human,
      signer: upstream ? 'identity' : null,
      mappings: upstream ? [...upstream.mappings] : [],
      grantId,
      used: false,
      validUntil: now + OAUTH_LIFETIMES.codeMs,
      expiresAt: expiresAt(now, OAUTH_LIFETIMES.codeMs),
    }),
    { kind: 'absent' },
  );
  await auditOAuth(deps, { ...audit, roles, grantId, action: 'oauth:authorize', outcome: 'ok' });
  const url = new URL(request.redirectUri);
  url.searchParams.set('code', code);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  url.searchParams.set('iss', ctx.issuer);
  return url.href;
}

/** The signer (or the page) declined: the client hears `access_denied`. */
export async function denyAuthorization(deps: Deps, ctx: OAuthContext, request: AuthorizationRequest, signer: Principal | undefined, correlationId: string): Promise<string> {
  if (signer) {
    await auditOAuth(deps, { tenantId: signer.tenantId, keyId: signer.keyId, clientId: request.client.clientId, correlationId, roles: request.roles, action: 'oauth:authorize', outcome: 'error', errorCode: 'access_denied' });
  }
  return errorRedirect(request.redirectUri, 'access_denied', 'the user denied the request', request.state, ctx.issuer);
}
