import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../functions/core/auth/api-keys.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { memoryLog } from '../helpers/conclave.js';
import { consentAsBrowser, postForm, RecordingProvider } from '../helpers/oauth.js';

/**
 * The acceptance flow of issue #18 with the official MCP SDK v2 client's own
 * OAuth support against the real local server: discovery from the 401,
 * registration (DCR, or a Client ID Metadata Document on loopback), PKCE
 * authorization through the real consent page form, token, tools/call on
 * /mcp/cto, refresh, revocation.
 */
describe('OAuth with the MCP SDK client', () => {
  let conclave: LocalConclave;
  let humanKey: string;
  let metadataServer: Server;
  let metadataBase: string;
  const redirectUrl = 'http://127.0.0.1:47999/callback';

  beforeAll(async () => {
    conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log: memoryLog(), authCacheMs: 0, oauthLoopbackClients: true });
    humanKey = (await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto', 'ceo', 'board'], human: true, label: 'alice' })).key;
    metadataServer = createServer((req, res) => {
      const clientId = `${metadataBase}${req.url}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ client_id: clientId, client_name: 'Loopback CIMD client', redirect_uris: [redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }));
    });
    await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
    metadataBase = `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    metadataServer.close();
    await conclave.close();
  });

  async function connect(provider: RecordingProvider): Promise<Client> {
    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${conclave.url}/mcp/cto`), { authProvider: provider }));
    return client;
  }

  /** Connect → 401 → the SDK discovers, registers and asks to open the consent page; the test approves as a browser; the SDK exchanges the code. */
  async function signIn(provider: RecordingProvider): Promise<void> {
    await expect(connect(provider)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authorizationUrl).toBeDefined();
    const url = provider.authorizationUrl as URL;
    expect(url.origin + url.pathname).toBe(`${conclave.url}/oauth/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(`${conclave.url}/mcp/cto`);
    const consent = await consentAsBrowser(url, humanKey);
    expect(consent.status).toBe(303);
    const back = new URL(consent.location as string);
    expect(back.origin + back.pathname).toBe(redirectUrl);
    expect(back.searchParams.get('state')).toBe(url.searchParams.get('state'));
    const result = await auth(provider, {
      serverUrl: new URL(`${conclave.url}/mcp/cto`),
      authorizationCode: back.searchParams.get('code') as string,
      iss: back.searchParams.get('iss') as string,
    });
    expect(result).toBe('AUTHORIZED');
    expect(provider.saved?.access_token).toMatch(/^cat_/);
    expect(provider.saved?.scope).toBe('cto');
  }

  async function callAsCto(provider: RecordingProvider): Promise<string> {
    const client = await connect(provider);
    try {
      const result = await client.callTool({ name: 'list_agents', arguments: {} });
      expect(result.isError).toBeFalsy();
      return JSON.stringify(result.structuredContent);
    } finally {
      await client.close();
    }
  }

  async function fullFlow(provider: RecordingProvider): Promise<void> {
    await signIn(provider);
    expect(await callAsCto(provider)).toContain('agents');

    // Refresh through the SDK: a new pair, the old refresh token is spent.
    const first = provider.saved;
    expect(await auth(provider, { serverUrl: new URL(`${conclave.url}/mcp/cto`) })).toBe('AUTHORIZED');
    expect(provider.saved?.refresh_token).not.toBe(first?.refresh_token);
    expect(provider.saved?.access_token).not.toBe(first?.access_token);
    expect(await callAsCto(provider)).toContain('agents');

    // Revocation (RFC 7009): the grant ends, the access token stops working at once (cache off here).
    const metadata = (await (await fetch(`${conclave.url}/.well-known/oauth-authorization-server`)).json()) as { revocation_endpoint: string };
    const revoked = await postForm(metadata.revocation_endpoint, { token: provider.saved?.refresh_token as string, client_id: provider.client?.client_id as string });
    expect(revoked.status).toBe(200);
    const call = await fetch(`${conclave.url}/mcp/cto`, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider.saved?.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(call.status).toBe(401);
    expect(call.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  }

  it('discovers from the 401, registers (DCR), authorizes with PKCE through the consent page, calls a tool, refreshes and revokes', async () => {
    const provider = new RecordingProvider(redirectUrl);
    await fullFlow(provider);
    expect(provider.client?.client_id).toMatch(/^ccl_/);
  });

  it('does the same with a Client ID Metadata Document client served from loopback', async () => {
    // The SDK sends a metadata-document URL as client_id only for https URLs; loopback http is local-only, so the
    // client id is given to the SDK as known client information (what a CIMD client id is: no registration).
    const clientId = `${metadataBase}/oauth/client.json`;
    const provider = new RecordingProvider(redirectUrl, undefined, { client_id: clientId, issuer: conclave.url });
    await fullFlow(provider);
    expect(provider.client?.client_id).toBe(clientId);
    expect(provider.invalidated).toEqual([]);
  });

  it('answers the 401 with the endpoint metadata URL and scope, and serves RFC 9728 / RFC 8414 metadata from the configured base URL', async () => {
    const res = await fetch(`${conclave.url}/mcp/cto`, { method: 'POST', headers: { 'content-type': 'application/json', host: 'evil.example' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${conclave.url}/.well-known/oauth-protected-resource/mcp/cto", scope="cto"`);
    const resource = (await (await fetch(`${conclave.url}/.well-known/oauth-protected-resource/mcp/cto`, { headers: { host: 'evil.example' } })).json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ resource: `${conclave.url}/mcp/cto`, authorization_servers: [conclave.url], scopes_supported: ['cto'], bearer_methods_supported: ['header'] });
    const root = (await (await fetch(`${conclave.url}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(root.resource).toBe(`${conclave.url}/`);
    expect((root.scopes_supported as string[]).length).toBe(10);
    const server = (await (await fetch(`${conclave.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(server).toMatchObject({ issuer: conclave.url, code_challenge_methods_supported: ['S256'], client_id_metadata_document_supported: true, token_endpoint_auth_methods_supported: ['none'] });
    expect((await fetch(`${conclave.url}/.well-known/oauth-protected-resource/mcp/nobody`)).status).toBe(404);
  });
});
