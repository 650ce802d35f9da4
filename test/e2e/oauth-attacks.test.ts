import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../functions/core/auth/api-keys.js';
import { keys } from '../../functions/core/keys.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { memoryLog } from '../helpers/conclave.js';
import { consentAsBrowser, pkcePair, postForm } from '../helpers/oauth.js';

/** Issue #18's attack tests: each gets its specific OAuth error and no token. */
describe('OAuth attacks', () => {
  let conclave: LocalConclave;
  let base: string;
  let human: { key: string; keyId: string };
  let agentKey: string;
  let evil: Server;
  let evilBase: string;
  const redirect = 'https://client.example/callback';

  beforeAll(async () => {
    conclave = await startLocal({
      port: 0,
      allowedOrigins: [],
      staleAfterMs: 300_000,
      log: memoryLog(),
      authCacheMs: 0,
      oauthLoopbackClients: true,
      oauthFetcher: { timeoutMs: 400, maxBytes: 2048 },
    });
    base = conclave.url;
    const made = await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto', 'ceo'], human: true });
    human = { key: made.key, keyId: made.record.keyId };
    agentKey = (await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto', 'board'].filter((r) => r !== 'board'), human: false })).key;
    // A loopback "client" that misbehaves in every way a metadata document can.
    evil = createServer((req, res) => {
      const id = `${evilBase}${req.url}`;
      const doc = JSON.stringify({ client_id: id, client_name: 'evil', redirect_uris: [redirect] });
      if (req.url === '/big.json') res.end(JSON.stringify({ client_id: id, redirect_uris: [redirect], pad: 'x'.repeat(5000) }));
      else if (req.url === '/slow.json') setTimeout(() => res.end(doc), 1500);
      else if (req.url === '/redirect.json') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/wrong-id.json') res.end(JSON.stringify({ client_id: 'https://other.example/c.json', redirect_uris: [redirect] }));
      else res.end(doc);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilBase = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    evil.close();
    await conclave.close();
  });

  async function register(redirectUris: string[] = [redirect]): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'attacker test', redirect_uris: redirectUris }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  function authorizeUrl(clientId: string, challenge: string, extra: Record<string, string> = {}): URL {
    const url = new URL(`${base}/oauth/authorize`);
    const params = { response_type: 'code', client_id: clientId, redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256', state: 's1', resource: `${base}/mcp/cto`, scope: 'cto', ...extra };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  /** Registers a client and approves an authorization with the human key: returns what the token request needs. */
  async function approvedCode(extra: Record<string, string> = {}): Promise<{ clientId: string; code: string; verifier: string }> {
    const clientId = String((await register()).body.client_id);
    const { verifier, challenge } = pkcePair();
    const consent = await consentAsBrowser(authorizeUrl(clientId, challenge, extra), human.key);
    expect(consent.status).toBe(303);
    const code = new URL(consent.location as string).searchParams.get('code');
    expect(code).toMatch(/^cac_/);
    return { clientId, code: code as string, verifier };
  }

  const token = (fields: Record<string, string>) => postForm(`${base}/oauth/token`, fields);
  const exchange = (c: { clientId: string; code: string; verifier: string }, overrides: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', client_id: c.clientId, code: c.code, code_verifier: c.verifier, redirect_uri: redirect, ...overrides });

  async function callWith(accessToken: string, endpoint = 'cto'): Promise<Response> {
    return fetch(`${base}/mcp/${endpoint}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
  }

  function refused(result: { status: number; body: Record<string, unknown> }, error: string, status = 400): void {
    expect(result.status).toBe(status);
    expect(result.body.error).toBe(error);
    expect(result.body.access_token).toBeUndefined();
  }

  it('refuses a missing PKCE verifier (invalid_request) and a wrong one (invalid_grant)', async () => {
    const approved = await approvedCode();
    refused(await token({ grant_type: 'authorization_code', client_id: approved.clientId, code: approved.code, redirect_uri: redirect }), 'invalid_request');
    const second = await approvedCode();
    refused(await exchange(second, { code_verifier: pkcePair().verifier }), 'invalid_grant');
  });

  it('refuses a plain (or missing) challenge by redirecting invalid_request to the registered URI, with no page to sign in on', async () => {
    const clientId = String((await register()).body.client_id);
    const cases: Record<string, string>[] = [{ code_challenge_method: 'plain' }, { code_challenge: '' }];
    for (const extra of cases) {
      const res = await fetch(authorizeUrl(clientId, pkcePair().challenge, extra), { redirect: 'manual' });
      expect(res.status).toBe(303);
      const location = new URL(res.headers.get('location') as string);
      expect(location.origin + location.pathname).toBe(redirect);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('s1');
    }
  });

  it('matches redirect URIs exactly and never redirects to an unregistered one', async () => {
    const clientId = String((await register()).body.client_id);
    for (const uri of [
      `${redirect}/`,
      `${redirect}/extra`,
      `${redirect}?next=x`,
      'https://client.example/callback@evil.example',
      'https://client.example.evil.example/callback',
      'https://evil.example/callback',
      '//evil.example/callback',
      'https://CLIENT.example/callback',
    ]) {
      const res = await fetch(authorizeUrl(clientId, pkcePair().challenge, { redirect_uri: uri }), { redirect: 'manual' });
      expect(res.status, uri).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toMatch(/does not exactly match/);
    }
    // And at the token endpoint: the code is bound to the exact URI.
    refused(await exchange(await approvedCode(), { redirect_uri: `${redirect}/` }), 'invalid_grant');
  });

  it('refuses a code used twice and revokes the tokens of its first use', async () => {
    const approved = await approvedCode();
    const first = await exchange(approved);
    expect(first.status).toBe(200);
    expect((await callWith(String(first.body.access_token))).status).toBe(200);
    refused(await exchange(approved), 'invalid_grant');
    const after = await callWith(String(first.body.access_token));
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    refused(await token({ grant_type: 'refresh_token', client_id: approved.clientId, refresh_token: String(first.body.refresh_token) }), 'invalid_grant');
  });

  it('revokes the whole grant when a refresh token is reused', async () => {
    const approved = await approvedCode();
    const first = await exchange(approved);
    const rotated = await token({ grant_type: 'refresh_token', client_id: approved.clientId, refresh_token: String(first.body.refresh_token) });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first.body.refresh_token);
    refused(await token({ grant_type: 'refresh_token', client_id: approved.clientId, refresh_token: String(first.body.refresh_token) }), 'invalid_grant');
    // The grant is gone: the rotated pair no longer works either.
    expect((await callWith(String(rotated.body.access_token))).status).toBe(401);
    refused(await token({ grant_type: 'refresh_token', client_id: approved.clientId, refresh_token: String(rotated.body.refresh_token) }), 'invalid_grant');
  });

  it('refuses a /mcp/ceo token on /mcp/cto (invalid_token) and a token without the role (403 insufficient_scope)', async () => {
    const ceo = await exchange(await approvedCode({ resource: `${base}/mcp/ceo`, scope: 'ceo' }));
    expect(ceo.body.scope).toBe('ceo');
    expect((await callWith(String(ceo.body.access_token), 'ceo')).status).toBe(200);
    const onCto = await callWith(String(ceo.body.access_token), 'cto');
    expect(onCto.status).toBe(401);
    expect(onCto.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    // A root-audience token granted only cto: the ceo endpoint answers 403 insufficient_scope.
    const root = await exchange(await approvedCode({ resource: `${base}/`, scope: 'cto' }));
    expect((await callWith(String(root.body.access_token), 'cto')).status).toBe(200);
    const forbidden = await callWith(String(root.body.access_token), 'ceo');
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope"/);
    // Both refusals are in the tenant's audit trail.
    const audit = await conclave.deps.store.query({ pk: keys.auditPartition('acme', Date.now()), descending: true, limit: 200 });
    const refusals = audit.items.filter((i) => i.action === 'oauth:refused').map((i) => `${String(i.role)}/${String(i.errorCode)}`);
    expect(refusals).toEqual(expect.arrayContaining(['cto/invalid_token', 'ceo/insufficient_scope']));
  });

  it('ends tokens and refreshes when the signer key is revoked', async () => {
    const made = await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto'], human: true });
    const clientId = String((await register()).body.client_id);
    const { verifier, challenge } = pkcePair();
    const consent = await consentAsBrowser(authorizeUrl(clientId, challenge), made.key);
    const code = new URL(consent.location as string).searchParams.get('code') as string;
    const tokens = await exchange({ clientId, code, verifier });
    expect((await callWith(String(tokens.body.access_token))).status).toBe(200);
    await revokeApiKey(conclave.deps, made.record.keyId);
    expect((await callWith(String(tokens.body.access_token))).status).toBe(401);
    refused(await token({ grant_type: 'refresh_token', client_id: clientId, refresh_token: String(tokens.body.refresh_token) }), 'invalid_grant');
  });

  it('refuses metadata-document clients that are private, non-https, oversized, slow, redirecting or mismatched (invalid_client)', async () => {
    const ids = ['https://10.0.0.7/client.json', 'https://[::1]/client.json', 'http://client.example/client.json', 'https://localhost/client.json', `${evilBase}/big.json`, `${evilBase}/slow.json`, `${evilBase}/redirect.json`, `${evilBase}/wrong-id.json`];
    for (const clientId of ids) {
      const result = await token({ grant_type: 'authorization_code', client_id: clientId, code: 'cac_x', code_verifier: pkcePair().verifier, redirect_uri: redirect });
      expect(result.status, clientId).toBe(401);
      expect(result.body.error, clientId).toBe('invalid_client');
      const page = await fetch(authorizeUrl(clientId, pkcePair().challenge), { redirect: 'manual' });
      expect(page.status, clientId).toBe(400);
      expect(page.headers.get('location')).toBeNull();
    }
    // The well-behaved loopback document on the same server is accepted (so the refusals above are the guards, not the setup).
    const ok = await fetch(authorizeUrl(`${evilBase}/good.json`, pkcePair().challenge), { redirect: 'manual' });
    expect(ok.status).toBe(200);
  });

  it('refuses registrations with javascript:, data: and other unsafe redirect URIs', async () => {
    for (const uri of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'http://client.example/cb', 'https://client.example/cb#frag', 'ftp://client.example/cb', 'https://user:pw@client.example/cb']) {
      const result = await register([uri]);
      expect(result.status, uri).toBe(400);
      expect(result.body.error, uri).toBe('invalid_redirect_uri');
      expect(result.body.client_id).toBeUndefined();
    }
    expect((await register(['http://127.0.0.1:33418/callback'])).status).toBe(201);
  });

  it('refuses a consent POST without its CSRF token, or with another browser’s cookie', async () => {
    const clientId = String((await register()).body.client_id);
    const url = authorizeUrl(clientId, pkcePair().challenge);
    const noToken = await consentAsBrowser(url, human.key, 'approve', (fields) => fields.delete('csrf'));
    expect(noToken.status).toBe(403);
    expect(noToken.location).toBeUndefined();
    expect(noToken.page).toMatch(/CSRF check failed/);
    const forged = await consentAsBrowser(url, human.key, 'approve', (fields) => fields.set('csrf', `${Date.now().toString(36)}.forged`));
    expect(forged.status).toBe(403);
    // A token from one browser's page replayed without that browser's cookie.
    const page = await fetch(url);
    const token = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const replay = await fetch(`${base}/oauth/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...Object.fromEntries(url.searchParams), csrf: token, api_key: human.key, decision: 'approve' }).toString() });
    expect(replay.status).toBe(403);
    expect(replay.headers.get('location')).toBeNull();
  });

  it('refuses the board scope to a non-human signer, and any role the key lacks', async () => {
    const clientId = String((await register()).body.client_id);
    const board = authorizeUrl(clientId, pkcePair().challenge, { resource: `${base}/mcp/board`, scope: 'board' });
    const agent = await consentAsBrowser(board, agentKey);
    expect(agent.status).toBe(401);
    expect(agent.location).toBeUndefined();
    expect(agent.page).toMatch(/agent key/);
    const lacking = await consentAsBrowser(board, human.key);
    expect(lacking.status).toBe(403);
    expect(lacking.location).toBeUndefined();
    expect(lacking.page).toMatch(/may not act as board/);
  });

  it('answers invalid_client (401) when a registered client is gone, so the client registers again', async () => {
    const approved = await approvedCode();
    await conclave.deps.store.delete(keys.oauthClient(approved.clientId));
    refused(await exchange(approved), 'invalid_client', 401);
    refused(await token({ grant_type: 'authorization_code', client_id: 'ccl_AAAAAAAAAAAAAAAAAAAAAA', code: approved.code, code_verifier: approved.verifier, redirect_uri: redirect }), 'invalid_client', 401);
  });

  it('audits grants, refreshes, revocations and refusals without any secret', async () => {
    const approved = await approvedCode();
    const first = await exchange(approved);
    await token({ grant_type: 'refresh_token', client_id: approved.clientId, refresh_token: String(first.body.refresh_token) });
    await token({ grant_type: 'refresh_token', client_id: approved.clientId, refresh_token: String(first.body.refresh_token) });
    const page = await conclave.deps.store.query({ pk: keys.auditPartition('acme', Date.now()), descending: true, limit: 200 });
    const actions = page.items.filter((i) => String(i.action).startsWith('oauth:')).map((i) => `${String(i.action)}/${String(i.outcome)}`);
    expect(actions).toEqual(expect.arrayContaining(['oauth:authorize/ok', 'oauth:grant/ok', 'oauth:refresh/ok', 'oauth:refresh-reuse/error', 'oauth:code-reuse/error']));
    const stored = JSON.stringify(page.items);
    expect(stored).not.toContain(String(first.body.refresh_token));
    expect(stored).not.toContain(approved.code);
    expect(stored).not.toContain(human.key);
    expect(stored).not.toMatch(/cat_|crt_|cac_/);
  });
});
