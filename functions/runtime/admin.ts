/**
 * The operator commands (`npm run keys`, `npm run identities`, `npm run memory`, `npm run org`) as one typed
 * request, run by the same use cases whichever way they arrive: on the
 * running local server's `/admin/<command>` route (authenticated), or by the
 * command-line tool itself when it opens the data dir or a deployed table.
 */
import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { AGENT_ROLES, ENDPOINTS } from '../contracts/roles.js';
import { authenticate, createApiKey, listApiKeys, revokeApiKey } from '../core/auth/api-keys.js';
import type { Deps } from '../core/context.js';
import { ConclaveError, ForbiddenError, UnauthenticatedError, ValidationError } from '../core/errors.js';
import { embedPending } from '../core/memory/embed-pending.js';
import { reembedMemories, type ReembedResult } from '../core/memory/reembed-memories.js';
import { getIdentityMapping, listIdentityMappings, mapIdentity, removeIdentityMapping } from '../core/identity/mappings.js';
import { keys as storeKeys } from '../core/keys.js';
import { loadTenantChart, setAuthority, setReportsTo } from '../core/org/org-chart.js';

const tenant = z.string().min(1).max(63);

/** Every operator command and its arguments. */
export const adminRequestSchema = z.discriminatedUnion('command', [
  z.strictObject({
    command: z.literal('keys.create'),
    tenant,
    roles: z.array(z.string().min(1).max(32)).min(1).max(ENDPOINTS.length + 1),
    human: z.boolean(),
    label: z.string().max(200).optional(),
  }),
  z.strictObject({ command: z.literal('keys.list'), tenant: tenant.optional() }),
  z.strictObject({ command: z.literal('keys.revoke'), keyId: z.string().min(1).max(100) }),
  z.strictObject({
    command: z.literal('identities.map'),
    kind: z.enum(['subject', 'email', 'group']),
    value: z.string().min(1).max(256),
    tenant,
    roles: z.array(z.string().min(1).max(32)).min(1).max(ENDPOINTS.length + 1),
    human: z.boolean(),
    label: z.string().max(200).optional(),
  }),
  z.strictObject({ command: z.literal('identities.list'), tenant: tenant.optional() }),
  z.strictObject({ command: z.literal('identities.remove'), id: z.string().min(3).max(300) }),
  z.strictObject({ command: z.literal('memory.reembed'), tenant }),
  z.strictObject({ command: z.literal('memory.embed-pending'), tenant }),
  z.strictObject({ command: z.literal('org.show'), tenant }),
  z.strictObject({ command: z.literal('org.set-authority'), tenant, role: z.string().min(1).max(32), limit: z.number(), operator: z.string().min(1).max(100).optional() }),
  z.strictObject({ command: z.literal('org.set-reports-to'), tenant, role: z.string().min(1).max(32), reportsTo: z.string().min(1).max(32), operator: z.string().min(1).max(100).optional() }),
]);
export type AdminRequest = z.infer<typeof adminRequestSchema>;
export type AdminCommand = AdminRequest['command'];

/** Who runs a command: the data dir's operator (any tenant) or one tenant's human with every role. */
export type AdminScope = { readonly kind: 'operator' } | { readonly kind: 'tenant'; readonly tenantId: string };

/** Runs one operator command within `scope`; the result is what the CLI prints (as JSON with --json). */
export async function runAdmin(
  deps: Deps,
  request: AdminRequest,
  scope: AdminScope,
  options: { onProgress?: (progress: ReembedResult) => void } = {},
): Promise<unknown> {
  const own = (tenantId: string | undefined): void => {
    if (scope.kind === 'tenant' && tenantId !== scope.tenantId) throw new ForbiddenError(`this key administers tenant ${scope.tenantId} only`);
  };
  switch (request.command) {
    case 'keys.create':
      own(request.tenant);
      return createApiKey(deps, {
        tenantId: request.tenant,
        roles: request.roles,
        human: request.human,
        ...(request.label ? { label: request.label } : {}),
      });
    case 'keys.list': {
      const tenantId = request.tenant ?? (scope.kind === 'tenant' ? scope.tenantId : undefined);
      own(scope.kind === 'tenant' ? tenantId : undefined);
      return listApiKeys(deps, tenantId);
    }
    case 'keys.revoke': {
      if (scope.kind === 'tenant') {
        const item = await deps.store.get(storeKeys.apiKey(request.keyId));
        if (item?.tenantId !== scope.tenantId) throw new ForbiddenError(`this key administers tenant ${scope.tenantId} only`);
      }
      return revokeApiKey(deps, request.keyId);
    }
    case 'identities.map':
      own(request.tenant);
      return mapIdentity(deps, {
        kind: request.kind,
        value: request.value,
        tenantId: request.tenant,
        roles: request.roles,
        human: request.human,
        ...(request.label ? { label: request.label } : {}),
      });
    case 'identities.list': {
      const tenantId = request.tenant ?? (scope.kind === 'tenant' ? scope.tenantId : undefined);
      own(scope.kind === 'tenant' ? tenantId : undefined);
      return listIdentityMappings(deps, tenantId);
    }
    case 'identities.remove': {
      if (scope.kind === 'tenant') {
        const mapping = await getIdentityMapping(deps, request.id);
        if (mapping?.tenantId !== scope.tenantId) throw new ForbiddenError(`this key administers tenant ${scope.tenantId} only`);
      }
      return removeIdentityMapping(deps, request.id);
    }
    case 'memory.reembed':
      own(request.tenant);
      return { tenant: request.tenant, model: deps.embedder.modelId, ...(await reembedMemories(deps, request.tenant, options)) };
    case 'memory.embed-pending':
      own(request.tenant);
      return { tenant: request.tenant, model: deps.embedder.modelId, ...(await embedPending(deps, request.tenant)) };
    case 'org.show': {
      own(request.tenant);
      const { chart, revision } = await loadTenantChart(deps, request.tenant);
      return { tenant: request.tenant, revision, roles: AGENT_ROLES.map((r) => chart[r]) };
    }
    case 'org.set-authority':
    case 'org.set-reports-to': {
      own(request.tenant);
      const by = { kind: 'operator' as const, name: scope.kind === 'operator' ? (request.operator ?? 'operator') : `tenant-admin:${request.operator ?? 'admin'}` };
      const ctx = { correlationId: `admin-${deps.ids.next()}` };
      return request.command === 'org.set-authority'
        ? setAuthority(deps, ctx, { tenantId: request.tenant, role: request.role, limit: request.limit, by })
        : setReportsTo(deps, ctx, { tenantId: request.tenant, role: request.role, reportsTo: request.reportsTo, by });
    }
  }
}

/** The admin route's path for a command. */
export const adminPath = (command: AdminCommand): string => `/admin/${command}`;

/**
 * The `/admin/<command>` route of the local server. Authenticated by the data
 * dir's admin token (the operator: any tenant) or by a human key holding
 * every role (its own tenant only). Never for browsers: a request with an
 * `Origin` is refused. Anything else goes to `next`.
 */
export function withAdminRoute(
  next: (request: Request) => Promise<Response>,
  deps: Deps,
  adminToken: string,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith('/admin/')) return next(request);
    if (request.headers.get('origin') !== null) return problem(403, 'forbidden', 'the admin route does not serve browsers');
    if (request.method !== 'POST') return problem(405, 'method_not_allowed', 'use POST', { allow: 'POST' });
    try {
      const scope = await authorizeAdmin(deps, adminToken, request.headers.get('authorization'));
      let body: unknown;
      try {
        body = JSON.parse(await request.text());
      } catch {
        return problem(400, 'invalid_input', 'the body must be a JSON object');
      }
      const parsed = adminRequestSchema.safeParse({ ...(body as object), command: path.slice('/admin/'.length) });
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ');
        return problem(400, 'invalid_input', issues);
      }
      return Response.json({ result: await runAdmin(deps, parsed.data, scope) });
    } catch (error) {
      if (error instanceof UnauthenticatedError) return problem(401, error.code, error.message, { 'www-authenticate': 'Bearer realm="conclave-admin"' });
      if (error instanceof ConclaveError) return problem(error.code === 'forbidden' ? 403 : error.code === 'not_found' ? 404 : 400, error.code, error.message);
      deps.log.error('admin command failed', { path, error: String(error) });
      return problem(500, 'internal', 'the command failed; see the server log');
    }
  };
}

async function authorizeAdmin(deps: Deps, adminToken: string, header: string | null): Promise<AdminScope> {
  const presented = /^Bearer (\S+)$/i.exec(header ?? '')?.[1];
  if (!presented) throw new UnauthenticatedError('send Authorization: Bearer <admin token or a human key with every role>');
  if (presented.length === adminToken.length && timingSafeEqual(Buffer.from(presented), Buffer.from(adminToken))) return { kind: 'operator' };
  const principal = await authenticate(deps, presented);
  if (!principal.human || ENDPOINTS.some((e) => !principal.roles.includes(e))) {
    throw new ForbiddenError('the admin route needs the admin token or a human key with every role');
  }
  return { kind: 'tenant', tenantId: principal.tenantId };
}

function problem(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/** An operator command's failure as the route reported it (the CLI prints the message). */
export class AdminCommandError extends ValidationError {
  override name = 'AdminCommandError';
}
