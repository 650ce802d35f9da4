import { createMcpHandler } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { isEndpointId, type EndpointId } from '../contracts/roles.js';
import { authorizeEndpoint } from '../core/auth/api-keys.js';
import { authenticateBearer } from '../core/auth/authenticate.js';
import type { Deps } from '../core/context.js';
import { ForbiddenError, UnauthenticatedError } from '../core/errors.js';
import type { Actor } from '../core/principal.js';
import type { Metrics } from '../ports/metrics.js';
import { AuditTrail } from './audit-trail.js';
import { AuthCache } from './auth-cache.js';
import { FrontDoor, type FrontDoorOptions } from './front-door.js';
import { bearerToken } from './bearer.js';
import { hostMatcher } from './host-check.js';
import { auditTokenRefusal, audienceAllows, bearerChallenge, createResourceRoutes, type HttpRoute, type ResourceOptions } from './oauth-routes.js';
import { buildServer, type ServerExtension, type ServerScope } from './server.js';
import { readLimitedText } from '../web/html.js';
import { correlationIdOf } from '../contracts/observability.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpOptions {
  /**
   * Browser origins allowed to call the endpoint. A request with an `Origin`
   * header not in this list is refused (DNS-rebinding and CSRF protection);
   * requests without `Origin` (non-browser clients) are not affected.
   * Entries are exact origins, or `http://localhost:*`-style port wildcards.
   */
  readonly allowedOrigins: readonly string[];
  /** How long an authenticated key is trusted without a store read (0 disables); a revocation takes up to this long to apply. */
  readonly authCacheMs: number;
  /** Where each tool call's count, error flag and latency go (EMF in AWS, nothing locally). */
  readonly metrics: Metrics;
  /**
   * Test-only: one extra endpoint, `/mcp/<name>`, that reads no key and acts as a
   * fixed principal (the conformance fixtures; see conformance-fixtures.ts). It
   * passes the same Origin, method and body-size rules as the role endpoints.
   * Only the local server sets it, and only when its fixtures flag is on.
   */
  readonly plugin?: EndpointPlugin;
  /** The CloudFront origin check (front-door.ts); the rate limits come from the Deps settings. */
  readonly frontDoor?: FrontDoorOptions;
  /** Host names this deployment answers to (host-check.ts); others are refused with 403. Omitted: any host. */
  readonly allowedHosts?: readonly string[];
  /**
   * The endpoints as OAuth 2.1 protected resources: their metadata, the
   * challenges and the token audience checks (functions/mcp/oauth-routes.ts).
   * Without it, endpoints accept API keys only and a 401 carries a bare
   * `Bearer realm="conclave"` challenge.
   */
  readonly oauth?: ResourceOptions;
  /**
   * Other surfaces the same listener serves, tried in order before the MCP
   * endpoints: `npm start` passes the web app's routes (the console and the
   * OAuth authorization server, functions/web/app.ts); in AWS those are the
   * web function's, so the MCP function carries none of their code.
   */
  readonly routes?: readonly HttpRoute[];
}

/** An extra, keyless endpoint serving Conclave's surface plus an extension (test-only; see HttpOptions.plugin). */
export interface EndpointPlugin {
  /** The path segment after `/mcp/`; never a role or the board. */
  readonly name: string;
  /** Who every request to the endpoint acts as. */
  readonly actor: Actor;
  readonly extension: ServerExtension;
}

/** The HTTP app: serves one request; `flush()` waits for the audit writes of requests already answered. */
export interface HttpApp {
  (request: Request): Promise<Response>;
  flush(): Promise<void>;
}

/**
 * The HTTP face of Conclave: `(Request) => Response`, served by node:http
 * locally and by the Lambda Function URL handler in AWS. It owns what the
 * SDK leaves to us (routing, origin, size, parse errors, authentication)
 * and hands everything else to the SDK's per-request MCP handler.
 */
export function createHttpApp(deps: Deps, options: HttpOptions): HttpApp {
  const plugin = options.plugin;
  if (plugin && isEndpointId(plugin.name)) throw new Error(`plugin endpoint ${plugin.name} would shadow a role endpoint`);
  const auditTrail = new AuditTrail(deps);
  const mcp = createMcpHandler(
    (ctx) => {
      const state = ctx.authInfo?.extra?.state as ServerScope | undefined;
      if (!state) throw new Error('request reached the MCP handler without an authenticated actor');
      return buildServer(deps, state, { audit: auditTrail, metrics: options.metrics });
    },
    { legacy: 'stateless', maxRequestBodySize: MAX_BODY_BYTES, onerror: (error) => deps.log.warn('mcp error', { error: String(error) }) },
  );
  const originAllowed = originMatcher(options.allowedOrigins);
  const hostAllowed = hostMatcher(options.allowedHosts ?? []);
  const authCache = new AuthCache(options.authCacheMs, () => deps.clock.now());
  const frontDoor = new FrontDoor(deps, options.frontDoor ?? {}, { audit: auditTrail, metrics: options.metrics });
  const routes = [...(options.oauth ? [createResourceRoutes(options.oauth)] : []), ...(options.routes ?? [])];

  const handle = async (request: Request): Promise<Response> => {
    const correlationId = correlationIdOf(request.headers.get('x-correlation-id'), randomUUID);
    const respond = (response: Response): Response => {
      response.headers.set('x-correlation-id', correlationId);
      return response;
    };
    try {
      // Before anything else: a request that did not come through the configured edge costs one comparison.
      const bypass = frontDoor.refuseBypass(request);
      if (bypass) return respond(bypass);
      return respond(await route(request, correlationId));
    } catch (error) {
      deps.log.error('unhandled request error', { correlation_id: correlationId, error: String(error) });
      return respond(rpcError(500, -32603, 'Internal error', { correlation_id: correlationId }));
    }
  };
  return Object.assign(handle, { flush: async () => {
    await frontDoor.flush();
    await auditTrail.flush();
  } });

  async function route(request: Request, correlationId: string): Promise<Response> {
    const host = request.headers.get('host') ?? new URL(request.url).host;
    if (!hostAllowed(host)) return rpcError(403, -32600, `Forbidden: host ${host.slice(0, 100)} is not served here; use the server's own address`);
    const path = new URL(request.url).pathname.replace(/\/+$/, '');
    if (path === '/healthz') {
      return request.method === 'GET' || request.method === 'HEAD'
        ? Response.json({ status: 'ok' })
        : plainError(405, 'method_not_allowed', 'use GET', { allow: 'GET' });
    }
    for (const served of routes) {
      const response = await served(request, correlationId);
      if (response) return response;
    }
    const match = /^\/mcp\/([a-z_]+)$/.exec(path);
    const endpoint = match?.[1];
    const pluginHere = plugin && endpoint === plugin.name ? plugin : undefined;
    if (!endpoint || (!pluginHere && !isEndpointId(endpoint))) {
      return plainError(404, 'not_found', `no endpoint at ${path || '/'}; use /mcp/<role> or /mcp/board`);
    }
    const origin = request.headers.get('origin');
    if (origin !== null && !originAllowed(origin)) {
      return rpcError(403, -32600, `Forbidden: origin ${origin} is not allowed`);
    }
    if (request.method === 'OPTIONS' && origin !== null) return preflight(origin);
    if (request.method !== 'POST') {
      return rpcError(405, -32000, `Method not allowed: ${request.method}; this endpoint is stateless and accepts POST only`, undefined, {
        allow: 'POST',
      });
    }
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_BODY_BYTES) return tooLarge();

    let actor: Actor;
    try {
      actor = pluginHere ? pluginHere.actor : await authorize(request, endpoint as EndpointId);
    } catch (error) {
      const base = options.oauth?.publicUrl(request);
      const presented = /^Bearer\s+\S/i.test(request.headers.get('authorization') ?? '');
      if (error instanceof UnauthenticatedError) {
        const challenge = !base
          ? 'Bearer realm="conclave"'
          : bearerChallenge(base, endpoint as EndpointId, presented ? { code: 'invalid_token', description: error.message } : undefined);
        return rpcError(401, -32001, `Unauthorized: ${error.message}; send Authorization: Bearer <key or OAuth access token>`, undefined, { 'www-authenticate': challenge });
      }
      if (error instanceof ForbiddenError) {
        const challenge: Record<string, string> = base ? { 'www-authenticate': bearerChallenge(base, endpoint as EndpointId, { code: 'insufficient_scope', description: error.message }) } : {};
        return rpcError(403, -32003, `Forbidden: ${error.message}`, undefined, challenge);
      }
      throw error;
    }
    const limited = await frontDoor.admit(actor, correlationId);
    if (limited) return limited;

    // Read whole, stopping as soon as it passes the limit (a missing or false Content-Length cannot bypass it).
    const body = await readLimitedText(request, MAX_BODY_BYTES);
    if (body === undefined) return tooLarge();
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(body);
    } catch (error) {
      return rpcError(400, -32700, `Parse error: ${(error as Error).message}`);
    }
    const overCeiling = await frontDoor.admitToolCalls(actor, parsedBody, correlationId);
    if (overCeiling) return overCeiling;
    const response = await mcp.fetch(request, {
      parsedBody,
      authInfo: {
        token: actor.keyId,
        clientId: actor.keyId,
        scopes: [actor.actingAs],
        extra: {
          state: {
            actor,
            correlationId,
            ...calledTool(parsedBody),
            ...(pluginHere ? { extension: pluginHere.extension } : {}),
          } satisfies ServerScope,
        },
      },
    });
    return withCors(response, origin);
  }

  async function authorize(request: Request, endpoint: EndpointId): Promise<Actor> {
    const bearer = bearerToken(request.headers.get('authorization'));
    const principal = await authCache.resolve(bearer, (credential) => authenticateBearer(deps, credential));
    // An OAuth token is bound to the endpoint(s) it was issued for (RFC 8707): elsewhere it is not a credential at all.
    try {
      if (principal.audience && options.oauth && !audienceAllows(options.oauth.publicUrl(request), principal.audience, endpoint)) {
        throw new UnauthenticatedError(`this access token was not issued for /mcp/${endpoint}`);
      }
      authorizeEndpoint(principal, endpoint);
    } catch (error) {
      if (principal.grantId) await auditTokenRefusal(deps, principal, endpoint, error);
      throw error;
    }
    return { ...principal, actingAs: endpoint };
  }

  function preflight(origin: string): Response {
    return new Response(null, {
      status: 204,
      headers: {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type, accept, mcp-protocol-version, mcp-method, mcp-name, x-correlation-id',
        'access-control-expose-headers': 'x-correlation-id',
        'access-control-max-age': '600',
        vary: 'origin',
      },
    });
  }
}

/** The tool a single `tools/call` request names (and whether it is task-augmented), or that the body is a tasks/* request. */
function calledTool(body: unknown): { calling?: string; taskCall?: boolean; taskMethod?: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const message = body as { method?: unknown; params?: { name?: unknown; task?: unknown } };
  if (typeof message.method === 'string' && message.method.startsWith('tasks/')) return { taskMethod: true };
  if (message.method !== 'tools/call' || typeof message.params?.name !== 'string') return {};
  const task = message.params.task;
  return { calling: message.params.name, ...(typeof task === 'object' && task !== null && !Array.isArray(task) ? { taskCall: true } : {}) };
}

function withCors(response: Response, origin: string | null): Response {
  if (origin === null) return response;
  const headers = new Headers(response.headers);
  headers.set('access-control-allow-origin', origin);
  headers.set('access-control-expose-headers', 'x-correlation-id');
  headers.append('vary', 'origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}


function tooLarge(): Response {
  return rpcError(413, -32600, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes (1 MiB)`);
}

/** A JSON-RPC error envelope with an HTTP status; `id` is null because the request was not (or could not be) read. */
function rpcError(status: number, code: number, message: string, data?: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(
    { jsonrpc: '2.0', id: null, error: { code, message, ...(data === undefined ? {} : { data }) } },
    { status, headers },
  );
}

function plainError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/** Matches origins exactly, or by `scheme://host:*` for any port. */
export function originMatcher(allowed: readonly string[]): (origin: string) => boolean {
  const exact = new Set(allowed.filter((o) => !o.endsWith(':*')));
  const anyPort = allowed.filter((o) => o.endsWith(':*')).map((o) => o.slice(0, -2));
  return (origin) => exact.has(origin) || anyPort.some((prefix) => origin === prefix || new RegExp(`^${escape(prefix)}:\\d+$`).test(origin));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

