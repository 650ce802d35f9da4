import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mapIdentity, removeIdentityMapping } from '../../functions/core/identity/mappings.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { memoryLog } from '../helpers/conclave.js';
import { formFields, postForm, RecordingProvider } from '../helpers/oauth.js';
import { TestIssuer } from '../helpers/oidc-issuer.js';

/**
 * Issue #18, "Sign in with <provider>": the consent page's upstream OpenID
 * Connect sign-in against a real (tiny, jose-built) issuer on 127.0.0.1,
 * driven as a browser would (forms, cookies, redirects), into an MCP SDK v2
 * client's tools/call; and the attacks: a bad ID-token signature, a wrong
 * audience, a wrong nonce, a replayed state, an unmapped user, a removed
 * mapping, a missing browser cookie, a missing CSRF token.
 */
const redirectUrl = 'http://127.0.0.1:47998/callback';

interface Jar {
  csrf: string;
  oidc: string;
}

function cookieOf(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    if (pair?.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}

describe('consent with an upstream OpenID Connect provider', () => {
  let conclave: LocalConclave;
  let issuer: TestIssuer;

  beforeAll(async () => {
    issuer = await new TestIssuer('conclave-test-client', 'test-client-secret').start();
    conclave = await startLocal({
      port: 0,
      allowedOrigins: [],
      staleAfterMs: 300_000,
      log: memoryLog(),
      authCacheMs: 0,
      upstreamIdentity: { issuer: issuer.url, name: 'Test IdP', clientId: 'conclave-test-client', clientSecret: 'test-client-secret', groupsClaim: 'groups', allowLoopbackHttp: true },
    });
    await mapIdentity(conclave.deps, { kind: 'email', value: 'Alice@Example.com', tenantId: 'acme', roles: ['cto', 'senior_developer'], human: true });
    await mapIdentity(conclave.deps, { kind: 'group', value: 'engineering', tenantId: 'acme', roles: ['cto'], human: true });
  });
  afterAll(async () => {
    await conclave.close();
    await issuer.close();
  });
  beforeEach(() => {
    issuer.tamper = {};
    issuer.nextUser = { sub: 'alice-sub', email: 'alice@example.com', groups: [] };
  });

  async function connect(provider: RecordingProvider): Promise<Client> {
    const client = new Client({ name: 'oidc-e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${conclave.url}/mcp/cto`), { authProvider: provider }));
    return client;
  }

  /** The SDK asks to open the consent page; returns its authorization URL. */
  async function authorizationUrl(provider: RecordingProvider): Promise<URL> {
    await expect(connect(provider)).rejects.toBeInstanceOf(UnauthorizedError);
    return provider.authorizationUrl as URL;
  }

  /** Consent page → "Sign in with Test IdP" → the issuer → back at /oauth/callback (the browser sends only the Lax cookie on that cross-site return). */
  async function upToCallback(url: URL): Promise<{ callbackUrl: string; jar: Jar; page: Response }> {
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain('Sign in with Test IdP');
    expect(consent.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(consent.headers.get('content-security-policy')).toContain(issuer.url);
    const csrf = cookieOf(consent, 'conclave_csrf') as string;
    const fields = formFields(html);
    fields.set('decision', 'upstream');
    const start = await fetch(new URL('/oauth/authorize', url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf }, body: fields.toString() });
    expect(start.status).toBe(303);
    const toIssuer = new URL(start.headers.get('location') as string);
    expect(toIssuer.origin + toIssuer.pathname).toBe(`${issuer.url}/authorize`);
    expect(toIssuer.searchParams.get('redirect_uri')).toBe(`${conclave.url}/oauth/callback`);
    expect(toIssuer.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toIssuer.searchParams.get('nonce')).toBeTruthy();
    expect(toIssuer.searchParams.get('state')).toBeTruthy();
    const oidc = cookieOf(start, 'conclave_oidc') as string;
    expect(start.headers.get('set-cookie')).toMatch(/SameSite=Lax/);
    const atIssuer = await fetch(toIssuer, { redirect: 'manual' });
    expect(atIssuer.status).toBe(302);
    const callbackUrl = atIssuer.headers.get('location') as string;
    const page = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: oidc } });
    return { callbackUrl, jar: { csrf, oidc }, page };
  }

  /** On the signed-in consent screen: Approve (or Deny), as the browser posts it (with the Strict CSRF cookie: same site now). */
  async function answer(page: Response, jar: Jar, decision: 'approve' | 'deny' = 'approve', tamper?: (f: URLSearchParams) => void): Promise<Response> {
    const html = await page.text();
    expect(html).toContain('action="/oauth/callback"');
    const fields = formFields(html);
    fields.set('decision', decision);
    tamper?.(fields);
    return fetch(`${conclave.url}/oauth/callback`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.csrf }, body: fields.toString() });
  }

  async function signIn(provider: RecordingProvider): Promise<void> {
    const url = await authorizationUrl(provider);
    const { jar, page } = await upToCallback(url);
    expect(page.status).toBe(200);
    const approved = await answer(page, jar);
    expect(approved.status).toBe(303);
    const back = new URL(approved.headers.get('location') as string);
    expect(back.origin + back.pathname).toBe(redirectUrl);
    expect(back.searchParams.get('state')).toBe(url.searchParams.get('state'));
    expect(await auth(provider, { serverUrl: new URL(`${conclave.url}/mcp/cto`), authorizationCode: back.searchParams.get('code') as string, iss: back.searchParams.get('iss') as string })).toBe('AUTHORIZED');
  }

  async function rawCall(token: string): Promise<Response> {
    return fetch(`${conclave.url}/mcp/cto`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
  }

  it('signs in with the provider, shows the mapped tenant and roles, and the SDK client calls a tool with the token', async () => {
    const provider = new RecordingProvider(redirectUrl);
    const url = await authorizationUrl(provider);
    const { jar, page } = await upToCallback(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.clone().text();
    expect(html).toContain('alice@example.com');
    expect(html).toContain('tenant <strong>acme</strong>');
    const approved = await answer(page, jar);
    expect(approved.status).toBe(303);
    const back = new URL(approved.headers.get('location') as string);
    expect(await auth(provider, { serverUrl: new URL(`${conclave.url}/mcp/cto`), authorizationCode: back.searchParams.get('code') as string, iss: back.searchParams.get('iss') as string })).toBe('AUTHORIZED');
    expect(provider.saved?.scope).toBe('cto');

    const client = await connect(provider);
    try {
      const result = await client.callTool({ name: 'list_agents', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain('agents');
    } finally {
      await client.close();
    }
    // The grant belongs to the mapped tenant: the audit trail of acme records it, with the upstream signer's id.
    const grant = await conclave.deps.store.get({ pk: `OAUTHGRANT#${/^cat_([0-9a-f]{32})\./.exec(provider.saved?.access_token ?? '')?.[1]}`, sk: 'GRANT' });
    expect(grant).toMatchObject({ tenantId: 'acme', signer: 'identity', mappings: ['email:alice@example.com'], roles: ['cto'] });
  });

  it('grants at most the mapped roles: a group member mapped to cto cannot grant the board', async () => {
    issuer.nextUser = { sub: 'bob-sub', email: 'bob@example.com', emailVerified: true, groups: ['engineering', 'unrelated'] };
    const provider = new RecordingProvider(redirectUrl);
    const url = await authorizationUrl(provider);
    url.searchParams.set('scope', 'cto board');
    url.searchParams.delete('resource');
    url.searchParams.append('resource', `${conclave.url}/mcp/cto`);
    url.searchParams.append('resource', `${conclave.url}/mcp/board`);
    const { jar, page } = await upToCallback(url);
    expect(page.status).toBe(200);
    const approved = await answer(page, jar);
    const back = new URL(approved.headers.get('location') as string);
    const code = back.searchParams.get('code') as string;
    const tokens = await postForm(`${conclave.url}/oauth/token`, {
      grant_type: 'authorization_code',
      code,
      client_id: provider.client?.client_id as string,
      redirect_uri: redirectUrl,
      code_verifier: provider.codeVerifier(),
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('cto');
  });

  it('never grants the board through a mapping not marked human: clear refusal, no code', async () => {
    await mapIdentity(conclave.deps, { kind: 'group', value: 'automation', tenantId: 'acme', roles: ['ceo'], human: false });
    issuer.nextUser = { sub: 'bot-sub', groups: ['automation'] };
    const provider = new RecordingProvider(redirectUrl);
    const url = await authorizationUrl(provider);
    url.searchParams.set('scope', 'board');
    url.searchParams.set('resource', `${conclave.url}/mcp/board`);
    const { jar, page } = await upToCallback(url);
    expect(page.status).toBe(200);
    expect(await page.clone().text()).toContain('not yours to grant');
    const approved = await answer(page, jar);
    expect(approved.status).toBe(403);
    expect(approved.headers.get('location')).toBeNull();
    expect(await approved.text()).toContain('the board needs a human');
  });

  it('ends the access when the mapping is removed: the token and the refresh token are refused', async () => {
    await mapIdentity(conclave.deps, { kind: 'subject', value: 'carol-sub', tenantId: 'acme', roles: ['cto'], human: true });
    issuer.nextUser = { sub: 'carol-sub' };
    const provider = new RecordingProvider(redirectUrl);
    await signIn(provider);
    const token = provider.saved?.access_token as string;
    expect((await rawCall(token)).status).toBe(200);
    await removeIdentityMapping(conclave.deps, 'subject:carol-sub');
    const refused = await rawCall(token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const refresh = await postForm(`${conclave.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: provider.saved?.refresh_token as string, client_id: provider.client?.client_id as string });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    expect(refresh.body.access_token).toBeUndefined();
  });

  it('refuses an unmapped user clearly, and issues nothing', async () => {
    issuer.nextUser = { sub: 'mallory-sub', email: 'mallory@example.com', groups: ['sales'] };
    const { page } = await upToCallback(await authorizationUrl(new RecordingProvider(redirectUrl)));
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('mallory@example.com');
    expect(html).toContain('is not mapped to a Conclave tenant');
    expect(html).not.toContain('name="signin"');
  });

  it('does not match an unverified email', async () => {
    issuer.nextUser = { sub: 'eve-sub', email: 'alice@example.com', emailVerified: false };
    const { page } = await upToCallback(await authorizationUrl(new RecordingProvider(redirectUrl)));
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('(unverified)');
  });

  for (const [name, tamper, expected] of [
    ['a bad ID-token signature', { foreignKey: true }, /could not be verified/],
    ['a wrong audience', { aud: 'someone-else' }, /could not be verified.*aud/s],
    ['a wrong nonce', { nonce: 'not-the-nonce' }, /could not be verified.*nonce/s],
    ['a wrong issuer', { iss: 'https://evil.example' }, /could not be verified.*iss/s],
    ['an expired ID token', { expiresIn: -600 }, /could not be verified.*exp/s],
  ] as const) {
    it(`refuses ${name}: no sign-in, no code`, async () => {
      issuer.tamper = tamper;
      const { page } = await upToCallback(await authorizationUrl(new RecordingProvider(redirectUrl)));
      expect(page.status).toBe(401);
      const html = await page.text();
      expect(html).toMatch(expected);
      expect(html).not.toContain('name="signin"');
      expect(page.headers.get('location')).toBeNull();
    });
  }

  it('refuses a replayed state (the callback used twice)', async () => {
    const { callbackUrl, jar, page } = await upToCallback(await authorizationUrl(new RecordingProvider(redirectUrl)));
    expect(page.status).toBe(200);
    const replay = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.oidc } });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');
  });

  it('refuses a callback in another browser (no binding cookie): login CSRF', async () => {
    const provider = new RecordingProvider(redirectUrl);
    const url = await authorizationUrl(provider);
    const consent = await fetch(url, { redirect: 'manual' });
    const csrf = cookieOf(consent, 'conclave_csrf') as string;
    const fields = formFields(await consent.text());
    fields.set('decision', 'upstream');
    const start = await fetch(new URL('/oauth/authorize', url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf }, body: fields.toString() });
    const atIssuer = await fetch(start.headers.get('location') as string, { redirect: 'manual' });
    const callback = await fetch(atIssuer.headers.get('location') as string, { redirect: 'manual' });
    expect(callback.status).toBe(403);
    expect(await callback.text()).toContain('did not start in this browser');
  });

  it('refuses the start and the approval without their CSRF token', async () => {
    const url = await authorizationUrl(new RecordingProvider(redirectUrl));
    const consent = await fetch(url, { redirect: 'manual' });
    const csrf = cookieOf(consent, 'conclave_csrf') as string;
    const fields = formFields(await consent.text());
    fields.set('decision', 'upstream');
    fields.delete('csrf');
    const start = await fetch(new URL('/oauth/authorize', url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf }, body: fields.toString() });
    expect(start.status).toBe(403);
    expect(issuer.authorizations.length).toBeGreaterThan(0);

    const { jar, page } = await upToCallback(await authorizationUrl(new RecordingProvider(redirectUrl)));
    const approved = await answer(page, jar, 'approve', (f) => f.delete('csrf'));
    expect(approved.status).toBe(403);
    expect(approved.headers.get('location')).toBeNull();
    expect(await approved.text()).toContain('CSRF');
  });

  it('denies back to the client with access_denied', async () => {
    const { jar, page } = await upToCallback(await authorizationUrl(new RecordingProvider(redirectUrl)));
    const denied = await answer(page, jar, 'deny');
    expect(denied.status).toBe(303);
    expect(new URL(denied.headers.get('location') as string).searchParams.get('error')).toBe('access_denied');
  });
});
