import { randomUUID } from 'node:crypto';
import type { Deps } from '../core/context.js';
import { bypassGuard } from '../mcp/front-door.js';
import { hostMatcher } from '../mcp/host-check.js';
import type { HttpApp } from '../mcp/http.js';
import { createOAuthRoutes, type HttpRoute, type OAuthOptions } from '../mcp/oauth-routes.js';
import { correlationIdOf } from '../contracts/observability.js';

export interface WebRoutesOptions {
  /** The OAuth authorization server; without it, only the console is served. */
  readonly oauth?: OAuthOptions;
}

/**
 * The web surfaces for people and OAuth clients: the board's console
 * (`/console/*`) and the OAuth authorization server (its metadata,
 * registration, consent page, token and revocation). `npm start` serves them
 * on the MCP listener (createHttpApp's `routes`); in AWS they are the web
 * function (createWebApp), so the MCP function bundles none of their code.
 */
export function createWebRoutes(deps: Deps, options: WebRoutesOptions): HttpRoute {
  // The console loads on its first request: OAuth requests never pay for its code.
  let consolePages: Promise<(request: Request) => Promise<Response>> | undefined;
  const oauth = options.oauth ? createOAuthRoutes(deps, options.oauth) : undefined;
  return async (request, correlationId) => {
    const path = new URL(request.url).pathname.replace(/\/+$/, '');
    if (path === '/console' || path.startsWith('/console/')) {
      consolePages ??= import('./console/app.js').then((m) => m.createConsole(deps));
      return (await consolePages)(request);
    }
    return oauth ? oauth(request, correlationId) : undefined;
  };
}

export interface WebAppOptions extends WebRoutesOptions {
  /** Host names served (host-check.ts); others get 403. Omitted: any host. */
  readonly allowedHosts?: readonly string[];
  /** Set when CloudFront fronts the function: requests without it in x-conclave-origin-verify get 403. */
  readonly originSecret?: string;
}

/**
 * The web function's HTTP app: the same edge rules as the MCP app (origin
 * secret first, then the host check), `/healthz`, the web routes, and a JSON
 * 404 for everything else (the MCP endpoints and the protected-resource
 * metadata are the MCP function's).
 */
export function createWebApp(deps: Deps, options: WebAppOptions): HttpApp {
  const refuseBypass = bypassGuard(options.originSecret);
  const hostAllowed = hostMatcher(options.allowedHosts ?? []);
  const routes = createWebRoutes(deps, options);
  const app = async (request: Request): Promise<Response> => {
    const correlationId = correlationIdOf(request.headers.get('x-correlation-id'), randomUUID);
    const respond = (response: Response): Response => {
      response.headers.set('x-correlation-id', correlationId);
      return response;
    };
    try {
      const bypass = refuseBypass(request);
      if (bypass) return respond(bypass);
      const host = request.headers.get('host') ?? new URL(request.url).host;
      if (!hostAllowed(host)) return respond(plainError(403, 'forbidden', `Forbidden: host ${host.slice(0, 100)} is not served here; use the server's own address`));
      const path = new URL(request.url).pathname.replace(/\/+$/, '');
      if (path === '/healthz') {
        return respond(request.method === 'GET' || request.method === 'HEAD' ? Response.json({ status: 'ok' }) : plainError(405, 'method_not_allowed', 'use GET', { allow: 'GET' }));
      }
      const response = await routes(request, correlationId);
      return respond(response ?? plainError(404, 'not_found', `no page at ${path || '/'}; this server has /console and the OAuth authorization server (/oauth/…)`));
    } catch (error) {
      deps.log.error('unhandled request error', { correlation_id: correlationId, error: String(error) });
      return respond(plainError(500, 'internal_error', 'Internal error', { 'cache-control': 'no-store' }));
    }
  };
  // Nothing is written after a response here (the console and the OAuth use cases finish their writes first).
  return Object.assign(app, { flush: () => Promise.resolve() });
}

function plainError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}
