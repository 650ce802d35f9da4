import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { createApiKey } from '../../functions/core/auth/api-keys.js';
import { authenticateBearer } from '../../functions/core/auth/authenticate.js';
import type { Deps } from '../../functions/core/context.js';
import { UnauthenticatedError } from '../../functions/core/errors.js';
import { approveAuthorization, checkAuthorizationRequest, grantableRoles, type OAuthContext } from '../../functions/core/oauth/authorization.js';
import { checkRedirectUri, DEFAULT_CLIENT_LIMITS, registerClient } from '../../functions/core/oauth/clients.js';
import { OAUTH_LIFETIMES, OAuthError, parseScope, pkceMatches } from '../../functions/core/oauth/model.js';
import { exchangeCode, refreshGrant, revokeGrant } from '../../functions/core/oauth/tokens.js';
import { resourceRolesFor } from '../../functions/mcp/oauth-routes.js';
import { pkcePair } from '../helpers/oauth.js';
import { testDeps } from '../helpers/deps.js';

const BASE = 'https://conclave.example';

describe('OAuth core', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  let now = Date.parse('2026-12-06T04:00:00Z');
  const ctx: OAuthContext = {
    fetcher: { fetch: async () => { throw new Error('no metadata documents in this test'); } },
    limits: { ...DEFAULT_CLIENT_LIMITS, registrationsPerHour: 3 },
    issuer: BASE,
    resourceRoles: resourceRolesFor(BASE),
  };

  beforeAll(async () => {
    dynamo = new MemoryStore();
    deps = testDeps({ store: dynamo.connect(), clock: { now: () => now } });
  });

  it('checks redirect URIs: https or loopback http only, no fragments or credentials', () => {
    expect(checkRedirectUri('https://a.example/cb')).toBe('https://a.example/cb');
    expect(checkRedirectUri('http://127.0.0.1:8080/cb')).toBe('http://127.0.0.1:8080/cb');
    expect(checkRedirectUri('http://localhost/cb')).toBe('http://localhost/cb');
    for (const bad of ['javascript:alert(1)', 'data:,x', 'http://a.example/cb', 'https://a.example/cb#x', 'https://u@a.example/cb', 'cb', 42, 'https://a.example/' + 'x'.repeat(600)]) {
      expect(() => checkRedirectUri(bad), String(bad)).toThrow(OAuthError);
    }
  });

  it('parses scopes as role names and refuses unknown words', () => {
    expect(parseScope('cto  ceo cto')).toEqual(['cto', 'ceo']);
    expect(parseScope('')).toBeUndefined();
    expect(() => parseScope('cto admin')).toThrow(/unknown scope admin/);
  });

  it('verifies PKCE S256 and nothing else', () => {
    const { verifier, challenge } = pkcePair();
    expect(pkceMatches(verifier, challenge)).toBe(true);
    expect(pkceMatches(verifier, verifier)).toBe(false);
    expect(pkceMatches(`${verifier}x`, challenge)).toBe(false);
  });

  it('maps resources to roles exactly: the root covers all, an endpoint its own role, anything else nothing', () => {
    const roles = resourceRolesFor(BASE);
    expect(roles(`${BASE}/mcp/cto`)).toEqual(['cto']);
    expect(roles(`${BASE}/`)?.length).toBe(10);
    for (const other of [`${BASE}/mcp/cto/`, `${BASE}/mcp/janitor`, 'https://evil.example/mcp/cto', `${BASE}.evil.example/mcp/cto`]) expect(roles(other), other).toBeUndefined();
  });

  it('maps resources of the origins a predicate accepts (the web function naming the MCP Function URLs): https, normal form only', () => {
    const lambdaUrl = (origin: string) => /^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws$/.test(origin);
    const roles = resourceRolesFor(lambdaUrl);
    expect(roles('https://abc123.lambda-url.us-east-1.on.aws/mcp/cto')).toEqual(['cto']);
    expect(roles('https://abc123.lambda-url.us-east-1.on.aws/')?.length).toBe(10);
    for (const other of [
      'http://abc123.lambda-url.us-east-1.on.aws/mcp/cto',
      'https://abc123.lambda-url.eu-west-1.on.aws/mcp/cto',
      'https://abc123.lambda-url.us-east-1.on.aws.evil.example/mcp/cto',
      'https://user@abc123.lambda-url.us-east-1.on.aws/mcp/cto',
      'https://abc123.lambda-url.us-east-1.on.aws/mcp/cto?x=1',
      'https://abc123.lambda-url.us-east-1.on.aws/mcp/janitor',
      'https://ABC123.lambda-url.us-east-1.on.aws/mcp/cto',
      'not a url',
    ]) expect(roles(other), other).toBeUndefined();
  });

  it('limits registrations per hour', async () => {
    for (let i = 0; i < 3; i++) await registerClient(deps, ctx.limits, { redirect_uris: ['https://a.example/cb'] });
    await expect(registerClient(deps, ctx.limits, { redirect_uris: ['https://a.example/cb'] })).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 429 });
    now += 60 * 60_000;
  });

  it('grants the intersection of what was asked, what the resource covers and what the signer holds; the board only to a human', async () => {
    const client = await registerClient(deps, ctx.limits, { redirect_uris: ['https://a.example/cb'] });
    const params = new URLSearchParams({ client_id: client.client_id, redirect_uri: 'https://a.example/cb', response_type: 'code', code_challenge: pkcePair().challenge, code_challenge_method: 'S256', resource: `${BASE}/`, scope: 'cto ceo board' });
    const check = await checkAuthorizationRequest(deps, ctx, params);
    if (check.kind !== 'ok') throw new Error(check.kind);
    expect(grantableRoles(check.request, { tenantId: 't', keyId: 'k', roles: ['cto', 'board'], human: true })).toEqual(['cto', 'board']);
    expect(grantableRoles(check.request, { tenantId: 't', keyId: 'k', roles: ['cto', 'board'], human: false })).toEqual(['cto']);
    const endpoint = await checkAuthorizationRequest(deps, ctx, new URLSearchParams({ ...Object.fromEntries(params), resource: `${BASE}/mcp/cto`, scope: 'ceo' }));
    expect(endpoint.kind).toBe('redirect-error');
  });

  it('issues tokens that expire after an hour, refreshes only within the grant, and revoked grants stay revoked', async () => {
    const signer = await createApiKey(deps, { tenantId: 'acme', roles: ['cto'], human: true });
    const client = await registerClient(deps, ctx.limits, { redirect_uris: ['https://a.example/cb'] });
    const { verifier, challenge } = pkcePair();
    const check = await checkAuthorizationRequest(deps, ctx, new URLSearchParams({ client_id: client.client_id, redirect_uri: 'https://a.example/cb', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', resource: `${BASE}/mcp/cto` }));
    if (check.kind !== 'ok') throw new Error(check.kind);
    const principal = { tenantId: 'acme', keyId: signer.record.keyId, roles: signer.record.roles, human: true };
    const location = new URL(await approveAuthorization(deps, ctx, check.request, principal, 'c1'));
    expect(location.searchParams.get('iss')).toBe(BASE);
    const tokens = await exchangeCode(deps, ctx, { clientId: client.client_id, code: location.searchParams.get('code'), codeVerifier: verifier, redirectUri: 'https://a.example/cb', resources: [] }, 'c2');
    const resolved = await authenticateBearer(deps, tokens.access_token);
    expect(resolved).toMatchObject({ tenantId: 'acme', roles: ['cto'], human: true, audience: [`${BASE}/mcp/cto`] });
    await expect(refreshGrant(deps, ctx, { clientId: client.client_id, refreshToken: tokens.refresh_token, scope: 'cto ceo', resources: [] }, 'c3')).rejects.toMatchObject({ code: 'invalid_scope' });
    await expect(refreshGrant(deps, ctx, { clientId: client.client_id, refreshToken: tokens.refresh_token, scope: null, resources: [`${BASE}/`] }, 'c3')).rejects.toMatchObject({ code: 'invalid_target' });
    now += OAUTH_LIFETIMES.accessTokenMs + 1;
    await expect(authenticateBearer(deps, tokens.access_token)).rejects.toBeInstanceOf(UnauthenticatedError);
    const refreshed = await refreshGrant(deps, ctx, { clientId: client.client_id, refreshToken: tokens.refresh_token, scope: null, resources: [] }, 'c4');
    expect((await authenticateBearer(deps, refreshed.access_token)).grantId).toBe(resolved.grantId);
    await revokeGrant(deps, resolved.grantId as string);
    await expect(authenticateBearer(deps, refreshed.access_token)).rejects.toThrow(/revoked/);
  });

  it('a grant revoked before it exists (a racing code reuse) cannot be opened afterwards', async () => {
    await revokeGrant(deps, 'ffffffffffffffff0000000000000001');
    const item = await deps.store.get({ pk: 'OAUTHGRANT#ffffffffffffffff0000000000000001', sk: 'GRANT' });
    expect(item?.revokedAt).toBeDefined();
  });
});
