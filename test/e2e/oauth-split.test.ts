import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noMetrics } from '../../functions/adapters/local/memory-metrics.js';
import { GuardedClientMetadataFetcher } from '../../functions/adapters/http/client-metadata-fetcher.js';
import { createApiKey } from '../../functions/core/auth/api-keys.js';
import { DEFAULT_CLIENT_LIMITS } from '../../functions/core/oauth/clients.js';
import { createHttpApp, type HttpApp } from '../../functions/mcp/http.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { serveFetch, type ServedFetch } from '../../functions/runtime/node-http.js';
import { createWebApp } from '../../functions/web/app.js';
import { memoryLog } from '../helpers/conclave.js';
import { consentAsBrowser, pkcePair, postForm, RecordingProvider } from '../helpers/oauth.js';

/**
 * The deployed topology without a custom domain: the MCP endpoints (MCP
 * function) and the console with the OAuth authorization server (web
 * function) on two origins over one table. The official MCP SDK client
 * discovers the authorization server from the MCP endpoint's metadata, signs
 * in there, and its token works at the MCP endpoint.
 */
describe('OAuth with the authorization server on its own origin (the web function)', () => {
  let conclave: LocalConclave;
  let humanKey: string;
  let mcp: ServedFetch;
  let web: ServedFetch;
  let mcpApp: HttpApp | undefined;
  let webApp: HttpApp | undefined;
  const redirectUrl = 'http://127.0.0.1:47998/callback';

  beforeAll(async () => {
    // Its deps (one store) serve both origins; its own listener is not used here.
    conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log: memoryLog(), authCacheMs: 0 });
    humanKey = (await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['cto', 'board'], human: true, label: 'alice' })).key;
    mcp = await serveFetch((request) => (mcpApp as HttpApp)(request), { port: 0, host: '127.0.0.1' });
    web = await serveFetch((request) => (webApp as HttpApp)(request), { port: 0, host: '127.0.0.1' });
    mcpApp = createHttpApp(conclave.deps, {
      oauth: { publicUrl: () => mcp.url, authorizationServerUrl: () => web.url },
      allowedOrigins: [],
      authCacheMs: 0,
      metrics: noMetrics,
    });
    webApp = createWebApp(conclave.deps, {
      oauth: {
        publicUrl: () => web.url,
        fetcher: new GuardedClientMetadataFetcher({ allowLoopback: false }),
        limits: DEFAULT_CLIENT_LIMITS,
        resourceOrigin: (origin) => origin === mcp.url,
      },
    });
  });
  afterAll(async () => {
    await mcp?.shutdown(1000);
    await web?.shutdown(1000);
    await conclave?.close();
  });

  it('serves each surface on its own origin only', async () => {
    const status = async (url: string, init?: RequestInit) => (await fetch(url, { redirect: 'manual', ...init })).status;
    expect(await status(`${mcp.url}/.well-known/oauth-protected-resource/mcp/cto`)).toBe(200);
    expect(await status(`${mcp.url}/.well-known/oauth-authorization-server`)).toBe(404);
    expect(await status(`${mcp.url}/console`)).toBe(404);
    expect(await status(`${mcp.url}/oauth/token`, { method: 'POST', body: 'grant_type=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toBe(404);
    expect(await status(`${web.url}/.well-known/oauth-authorization-server`)).toBe(200);
    expect(await status(`${web.url}/console`)).not.toBe(404);
    expect(await status(`${web.url}/.well-known/oauth-protected-resource/mcp/cto`)).toBe(404);
    expect(await status(`${web.url}/mcp/cto`, { method: 'POST', body: '{}' })).toBe(404);
    expect(await status(`${web.url}/healthz`)).toBe(200);
    const resource = (await (await fetch(`${mcp.url}/.well-known/oauth-protected-resource/mcp/cto`)).json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ resource: `${mcp.url}/mcp/cto`, authorization_servers: [web.url] });
    const server = (await (await fetch(`${web.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(server).toMatchObject({ issuer: web.url, token_endpoint: `${web.url}/oauth/token`, authorization_endpoint: `${web.url}/oauth/authorize` });
  });

  it('signs in at the web origin through the SDK, and the token works at the MCP endpoint (and only for its resource)', async () => {
    const provider = new RecordingProvider(redirectUrl);
    const serverUrl = new URL(`${mcp.url}/mcp/cto`);
    const connect = async () => {
      const client = new Client({ name: 'oauth-split', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider }));
      return client;
    };
    await expect(connect()).rejects.toBeInstanceOf(UnauthorizedError);
    const url = provider.authorizationUrl as URL;
    expect(url.origin + url.pathname).toBe(`${web.url}/oauth/authorize`);
    expect(url.searchParams.get('resource')).toBe(`${mcp.url}/mcp/cto`);
    const consent = await consentAsBrowser(url, humanKey);
    expect(consent.status).toBe(303);
    const back = new URL(consent.location as string);
    expect(back.searchParams.get('error')).toBeNull();
    expect(back.searchParams.get('iss')).toBe(web.url);
    expect(await auth(provider, { serverUrl, authorizationCode: back.searchParams.get('code') as string, iss: web.url })).toBe('AUTHORIZED');
    expect(provider.saved?.scope).toBe('cto');

    const client = await connect();
    try {
      const result = await client.callTool({ name: 'list_agents', arguments: {} });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    // Refresh at the web origin; the new access token works at the MCP endpoint too.
    expect(await auth(provider, { serverUrl })).toBe('AUTHORIZED');
    const again = await fetch(serverUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider.saved?.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(again.status).toBe(200);
  });

  it('refuses a resource on any other origin', async () => {
    const registered = (await (await fetch(`${web.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'other', redirect_uris: [redirectUrl], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' }),
    })).json()) as { client_id: string };
    const { challenge } = pkcePair();
    for (const resource of [`${web.url}/mcp/cto`, `${conclave.url}/mcp/cto`, 'https://evil.example/mcp/cto']) {
      const authorize = new URL(`${web.url}/oauth/authorize`);
      for (const [name, value] of Object.entries({ response_type: 'code', client_id: registered.client_id, redirect_uri: redirectUrl, code_challenge: challenge, code_challenge_method: 'S256', state: 's', resource })) authorize.searchParams.set(name, value);
      const answer = await fetch(authorize, { redirect: 'manual' });
      expect(answer.status, resource).toBe(303);
      expect(new URL(answer.headers.get('location') as string).searchParams.get('error'), resource).toBe('invalid_target');
    }
    // And the token endpoint is not the MCP function's.
    expect((await postForm(`${mcp.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: 'x', client_id: registered.client_id })).status).toBe(404);
  });
});
