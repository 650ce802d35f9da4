import { ENDPOINTS, isEndpointId, type EndpointId } from '../contracts/roles.js';
import type { OAuthContext } from '../core/oauth/authorization.js';
import { registerClient, type ClientLimits } from '../core/oauth/clients.js';
import { auditOAuth, OAuthError } from '../core/oauth/model.js';
import type { Principal } from '../core/principal.js';
import { exchangeCode, refreshGrant, revokeToken } from '../core/oauth/tokens.js';
import type { Deps } from '../core/context.js';
import type { ClientMetadataFetcher } from '../ports/client-metadata.js';
import { readForm, readLimitedText } from '../web/html.js';
import type { IdentityProvider } from '../ports/identity-provider.js';
import { consentSecret, handleConsent } from './oauth-consent.js';
import { CALLBACK_PATH, handleUpstreamCallback, type UpstreamSignIn } from './oauth-upstream.js';

/**
 * Conclave's OAuth 2.1 surface, in two parts:
 *
 * - the protected resource (`createResourceRoutes`), served with the MCP
 *   endpoints (functions/mcp/http.ts):
 *   `/.well-known/oauth-protected-resource[/mcp/<role>]` (RFC 9728);
 * - the authorization server (`createOAuthRoutes`), served by the web app
 *   with the console (functions/web/app.ts; in AWS its own function):
 *   `/.well-known/oauth-authorization-server` (RFC 8414),
 *   `/oauth/register` (RFC 7591), `/oauth/authorize` (the consent page),
 *   `/oauth/token`, `/oauth/revoke` (RFC 7009), and `/oauth/callback` (the
 *   return from the upstream identity provider, when one is configured).
 *
 * `npm start` serves both on one listener. Every URL either prints is built
 * from configured public base URLs, never from the request's Host header.
 */
export interface ResourceOptions {
  /** The public base URL (scheme://host[:port], no trailing slash) a request was addressed to, from configuration. */
  readonly publicUrl: (request: Request) => string;
  /**
   * The authorization server's public base URL (its issuer), which the
   * protected-resource metadata names.
   *
   * @default - `publicUrl`: the same server
   */
  readonly authorizationServerUrl?: (request: Request) => string;
}

export interface OAuthOptions {
  /** The authorization server's public base URL (its issuer) for a request, from configuration. */
  readonly publicUrl: (request: Request) => string;
  readonly fetcher: ClientMetadataFetcher;
  readonly limits: ClientLimits;
  /**
   * The origins (`https://host`) whose `/mcp/<role>` resources this server
   * issues tokens for (RFC 8707 resource indicators).
   *
   * @default - its own public base URL only (one server for both)
   */
  readonly resourceOrigin?: (origin: string) => boolean;
  /** The upstream OpenID Connect provider people may sign in with on the consent page (functions/mcp/oauth-upstream.ts); absent: API keys only. */
  readonly identityProvider?: IdentityProvider;
}

export const WELL_KNOWN_RESOURCE = '/.well-known/oauth-protected-resource';
export const WELL_KNOWN_SERVER = '/.well-known/oauth-authorization-server';
const MAX_JSON_BYTES = 16 * 1024;

/** The resource identifier of one endpoint, or of the whole server (`endpoint` undefined). */
export function resourceUrl(base: string, endpoint?: EndpointId): string {
  return endpoint ? `${base}/mcp/${endpoint}` : `${base}/`;
}

/** Where a client learns about one endpoint as a protected resource. */
export function resourceMetadataUrl(base: string, endpoint: EndpointId): string {
  return `${base}${WELL_KNOWN_RESOURCE}/mcp/${endpoint}`;
}

/** The `WWW-Authenticate` challenge of an endpoint (RFC 6750 §3, RFC 9728 §5.1). */
export function bearerChallenge(base: string, endpoint: EndpointId, error?: { code: 'invalid_token' | 'insufficient_scope'; description: string }): string {
  const parts = [`resource_metadata="${resourceMetadataUrl(base, endpoint)}"`, `scope="${endpoint}"`];
  if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, '')}"`);
  return `Bearer ${parts.join(', ')}`;
}

/**
 * The roles a resource indicator covers: a resource of this base URL (exact
 * match), or of an origin the predicate accepts; the root covers every role.
 */
export function resourceRolesFor(base: string | ((origin: string) => boolean)): (resource: string) => readonly EndpointId[] | undefined {
  return (resource) => {
    const origin = typeof base === 'string' ? base : originOf(resource);
    if (origin === undefined || (typeof base !== 'string' && !base(origin))) return undefined;
    if (resource === `${origin}/` || resource === origin) return ENDPOINTS;
    const prefix = `${origin}/mcp/`;
    if (!resource.startsWith(prefix)) return undefined;
    const endpoint = resource.slice(prefix.length);
    return isEndpointId(endpoint) ? [endpoint] : undefined;
  };
}

/** `scheme://host[:port]` of an http(s) URL written in its normal form (no user info, query or fragment), else undefined; the predicate judges the scheme. */
function originOf(resource: string): string | undefined {
  try {
    const url = new URL(resource);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) return undefined;
    return resource.startsWith(`${url.origin}/`) || resource === url.origin ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** True when a token's audience lets it be used on this endpoint (the endpoint itself, or the root). */
export function audienceAllows(base: string, audience: readonly string[] | undefined, endpoint: EndpointId): boolean {
  if (audience === undefined) return true;
  if (audience.length === 0) return true;
  return audience.includes(resourceUrl(base, endpoint)) || audience.includes(`${base}/`) || audience.includes(base);
}

/** Audits an endpoint's refusal of a valid access token (wrong endpoint or role): `oauth:refused`, with the grant id, never the token. */
export async function auditTokenRefusal(deps: Deps, principal: Principal, endpoint: EndpointId, error: unknown): Promise<void> {
  await auditOAuth(deps, {
    tenantId: principal.tenantId,
    keyId: principal.keyId,
    roles: [endpoint],
    action: 'oauth:refused',
    outcome: 'error',
    errorCode: error instanceof Error && error.name === 'UnauthenticatedError' ? 'invalid_token' : 'insufficient_scope',
    clientId: '',
    ...(principal.grantId ? { grantId: principal.grantId } : {}),
    correlationId: '',
  });
}

/** A route of the HTTP app: answers the paths it owns, `undefined` for the rest. */
export type HttpRoute = (request: Request, correlationId: string) => Promise<Response | undefined>;

/** The protected resource's metadata (RFC 9728), at the MCP endpoints' base URL. */
export function createResourceRoutes(options: ResourceOptions): HttpRoute {
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (path !== WELL_KNOWN_RESOURCE && !path.startsWith(`${WELL_KNOWN_RESOURCE}/`)) return undefined;
    if (request.method === 'OPTIONS') return cors(new Response(null, { status: 204 }), true);
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
    const rest = path.slice(WELL_KNOWN_RESOURCE.length);
    const endpoint = /^\/mcp\/([a-z_]+)$/.exec(rest)?.[1];
    if (rest !== '' && !(endpoint && isEndpointId(endpoint))) return notFound(path);
    const scoped = endpoint as EndpointId | undefined;
    const base = options.publicUrl(request);
    return cors(
      Response.json(
        {
          resource: resourceUrl(base, scoped),
          authorization_servers: [(options.authorizationServerUrl ?? options.publicUrl)(request)],
          scopes_supported: scoped ? [scoped] : [...ENDPOINTS],
          bearer_methods_supported: ['header'],
          resource_name: scoped ? `Conclave ${scoped}` : 'Conclave',
        },
        { headers: { 'cache-control': 'public, max-age=300' } },
      ),
      true,
    );
  };
}

/** The authorization server's routes (RFC 8414 metadata, registration, consent, token, revocation). */
export function createOAuthRoutes(deps: Deps, options: OAuthOptions): HttpRoute {
  const contextFor = (base: string): OAuthContext => ({
    fetcher: options.fetcher,
    limits: options.limits,
    issuer: base,
    resourceRoles: resourceRolesFor(options.resourceOrigin ?? base),
  });
  const upstream: UpstreamSignIn | undefined = options.identityProvider ? { provider: options.identityProvider, secret: () => consentSecret(deps) } : undefined;

  return async (request, correlationId) => {
    const path = new URL(request.url).pathname;
    if (path !== WELL_KNOWN_SERVER && !path.startsWith(`${WELL_KNOWN_SERVER}/`) && !path.startsWith('/oauth/')) return undefined;
    const base = options.publicUrl(request);
    const isJsonRoute = path !== '/oauth/authorize' && path !== CALLBACK_PATH;
    if (request.method === 'OPTIONS' && isJsonRoute) return cors(new Response(null, { status: 204 }), true);

    if (path === WELL_KNOWN_SERVER) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET');
      return cors(Response.json(serverMetadata(base), { headers: { 'cache-control': 'public, max-age=300' } }), true);
    }
    const ctx = contextFor(base);
    try {
      switch (path) {
        case '/oauth/authorize':
          return await handleConsent(deps, ctx, request, correlationId, upstream);
        case CALLBACK_PATH:
          return upstream ? await handleUpstreamCallback(deps, ctx, upstream, request, correlationId) : notFound(path);
        case '/oauth/register': {
          if (request.method !== 'POST') return methodNotAllowed('POST');
          const body = await readJson(request);
          return cors(Response.json(await registerClient(deps, options.limits, body), { status: 201, headers: noStore }), true);
        }
        case '/oauth/token': {
          if (request.method !== 'POST') return methodNotAllowed('POST');
          const form = await requireForm(request);
          const grantType = form.get('grant_type');
          const resources = form.getAll('resource');
          const tokens =
            grantType === 'authorization_code'
              ? await exchangeCode(deps, ctx, { clientId: form.get('client_id'), code: form.get('code'), codeVerifier: form.get('code_verifier'), redirectUri: form.get('redirect_uri'), resources }, correlationId)
              : grantType === 'refresh_token'
                ? await refreshGrant(deps, ctx, { clientId: form.get('client_id'), refreshToken: form.get('refresh_token'), scope: form.get('scope'), resources }, correlationId)
                : unsupportedGrant(grantType);
          return cors(Response.json(tokens, { headers: noStore }), true);
        }
        case '/oauth/revoke': {
          if (request.method !== 'POST') return methodNotAllowed('POST');
          const form = await requireForm(request);
          await revokeToken(deps, ctx, { clientId: form.get('client_id'), token: form.get('token') }, correlationId);
          return cors(new Response(null, { status: 200, headers: noStore }), true);
        }
        default:
          return notFound(path);
      }
    } catch (error) {
      if (error instanceof OAuthError) {
        deps.log.info('oauth request refused', { path, error: error.code, description: error.description, correlation_id: correlationId });
        return cors(Response.json({ error: error.code, error_description: error.description }, { status: error.status, headers: noStore }), true);
      }
      throw error;
    }
  };
}

/** RFC 8414 metadata: code + PKCE S256 only, public clients, DCR and metadata-document client ids, RFC 9207 `iss`. */
export function serverMetadata(base: string): Record<string, unknown> {
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    registration_endpoint: `${base}/oauth/register`,
    revocation_endpoint: `${base}/oauth/revoke`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    scopes_supported: [...ENDPOINTS],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

function unsupportedGrant(grantType: string | null): never {
  throw new OAuthError('unsupported_grant_type', `grant_type ${grantType ?? '(missing)'} is not supported; use authorization_code or refresh_token`);
}

async function requireForm(request: Request): Promise<URLSearchParams> {
  const form = await readForm(request);
  if (!form) throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded and at most 16 KiB');
  return form;
}

async function readJson(request: Request): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new OAuthError('invalid_client_metadata', 'the registration body must be application/json');
  if (Number(request.headers.get('content-length') ?? '0') > MAX_JSON_BYTES) throw new OAuthError('invalid_client_metadata', `the registration body is larger than ${MAX_JSON_BYTES} bytes`);
  const text = await readLimitedText(request, MAX_JSON_BYTES);
  if (text === undefined) throw new OAuthError('invalid_client_metadata', `the registration body is larger than ${MAX_JSON_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthError('invalid_client_metadata', 'the registration body is not valid JSON');
  }
}

/** The OAuth JSON endpoints are called by browser-based clients too (no cookies are involved, so any origin may read them). */
function cors(response: Response, allow: boolean): Response {
  if (!allow) return response;
  response.headers.set('access-control-allow-origin', '*');
  response.headers.set('access-control-allow-methods', 'GET, POST, OPTIONS');
  response.headers.set('access-control-allow-headers', 'content-type, authorization, mcp-protocol-version');
  response.headers.set('access-control-max-age', '600');
  return response;
}

function methodNotAllowed(allow: string): Response {
  return Response.json({ error: 'invalid_request', error_description: `use ${allow}` }, { status: 405, headers: { allow } });
}

function notFound(path: string): Response {
  return Response.json({ error: { code: 'not_found', message: `no endpoint at ${path}` } }, { status: 404 });
}
