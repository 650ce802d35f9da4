import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../functions/core/auth/api-keys.js';
import { eventually, issueKey, post, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

interface ErrorBody {
  jsonrpc?: string;
  id?: null;
  error: { code: number | string; message: string };
}
const body = async (res: Response): Promise<ErrorBody> => (await res.json()) as ErrorBody;

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'edge-test', version: '1' } },
});

describe('HTTP edge rules', () => {
  let conclave: Conclave;
  let agentKey: string;
  let humanKey: string;

  beforeAll(async () => {
    conclave = await startTestConclave();
    agentKey = await issueKey(conclave, 'acme', ['ceo', 'cto']);
    humanKey = await issueKey(conclave, 'acme', ['board'], true);
  });
  afterAll(() => conclave.close());

  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  it('answers /healthz with 200 without a key', async () => {
    const res = await fetch(`${conclave.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('returns 404 with a JSON body for an unknown role path', async () => {
    const res = await post(conclave, '/mcp/janitor', initialize, auth(agentKey));
    expect(res.status).toBe(404);
    expect((await body(res)).error.message).toContain('/mcp/janitor');
    expect((await post(conclave, '/', initialize)).status).toBe(404);
    expect((await post(conclave, '/mcp/ceo/extra', initialize)).status).toBe(404);
  });

  it.each(['GET', 'DELETE'])('returns 405 for %s with Allow: POST', async (method) => {
    const res = await fetch(`${conclave.url}/mcp/ceo`, { method, headers: auth(agentKey) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await body(res)).error.code).toBe(-32000);
  });

  it('returns 403 for a present Origin that is not allowed, before anything else', async () => {
    const res = await post(conclave, '/mcp/ceo', initialize, { ...auth(agentKey), origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await body(res)).error.message).toContain('https://evil.example');
  });

  it('serves an allowed Origin with CORS headers', async () => {
    const res = await post(conclave, '/mcp/ceo', initialize, { ...auth(agentKey), origin: 'http://localhost:6274' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  });

  it('returns -32700 as JSON (never HTML) for an unparseable body', async () => {
    const res = await post(conclave, '/mcp/ceo', '{"jsonrpc": "2.0", "id": 1, "method":', auth(agentKey));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await body(res)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('returns 413 with a JSON-RPC error for a body over 1 MiB, declared or not', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(1024 * 1024) } });
    const declared = await post(conclave, '/mcp/ceo', big, auth(agentKey));
    expect(declared.status).toBe(413);
    expect((await body(declared)).error).toMatchObject({ code: -32600 });
    // A chunked body has no Content-Length: the limit is enforced while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
        for (let i = 0; i < 20; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const chunked = await fetch(`${conclave.url}/mcp/ceo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(agentKey) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('returns 401 with WWW-Authenticate for a missing, malformed, unknown or revoked key', { timeout: 15_000 }, async () => {
    const { key: revocable, record } = await createApiKey(conclave.deps, { tenantId: 'acme', roles: ['ceo'], human: false });
    expect((await post(conclave, '/mcp/ceo', initialize, auth(revocable))).status).toBe(200);
    await revokeApiKey(conclave.deps, record.keyId);
    // Authenticated keys are cached briefly (CONCLAVE_AUTH_CACHE_SECONDS, 2 s by default).
    await eventually(async () => expect((await post(conclave, '/mcp/ceo', initialize, auth(revocable))).status).toBe(401));
    for (const headers of [{}, { authorization: 'Basic abc' }, auth('short'), auth(`cnk_${'A'.repeat(43)}`), auth(revocable)]) {
      const res = await post(conclave, '/mcp/ceo', initialize, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const parsed = await body(res);
      expect(parsed.error.code).toBe(-32001);
      expect(JSON.stringify(parsed)).not.toContain(revocable);
    }
  });

  it('returns 403 when the key may not act as the role, and for an agent key on the board', async () => {
    const wrongRole = await post(conclave, '/mcp/test_lead', initialize, auth(agentKey));
    expect(wrongRole.status).toBe(403);
    expect((await body(wrongRole)).error.message).toContain('test_lead');
    const agentOnBoard = await post(conclave, '/mcp/board', initialize, auth(agentKey));
    expect(agentOnBoard.status).toBe(403);
    expect((await post(conclave, '/mcp/board', initialize, auth(humanKey))).status).toBe(200);
  });

  it('echoes a valid correlation id and generates one otherwise', async () => {
    const echoed = await post(conclave, '/mcp/ceo', initialize, { ...auth(agentKey), 'x-correlation-id': 'req-42' });
    expect(echoed.headers.get('x-correlation-id')).toBe('req-42');
    const generated = await post(conclave, '/mcp/ceo', initialize, { ...auth(agentKey), 'x-correlation-id': 'bad id with spaces' });
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps serving after hostile requests and never logs a key', async () => {
    expect((await post(conclave, '/mcp/ceo', initialize, auth(agentKey))).status).toBe(200);
    expect(JSON.stringify(conclave.log.lines)).not.toContain(agentKey);
    expect(JSON.stringify(conclave.log.lines)).not.toContain(humanKey);
  });
});
