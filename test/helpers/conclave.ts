import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { EndpointId } from '../../functions/contracts/roles.js';
import { createApiKey } from '../../functions/core/auth/api-keys.js';
import type { Embedder } from '../../functions/ports/embedder.js';
import type { Log } from '../../functions/ports/logger.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';

/** Captures log lines so tests can assert on them (and keep the output quiet). */
export function memoryLog(): Log & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Starts the real local server (in-memory dynalite, real HTTP on a random loopback port). */
export async function startTestConclave(
  overrides: { staleAfterMs?: number; embedder?: Embedder } = {},
): Promise<LocalConclave & { log: ReturnType<typeof memoryLog> }> {
  const log = memoryLog();
  const conclave = await startLocal({
    port: 0,
    allowedOrigins: ['http://localhost:*'],
    staleAfterMs: overrides.staleAfterMs ?? 300_000,
    log,
    ...(overrides.embedder ? { embedder: overrides.embedder } : {}),
  });
  return Object.assign(conclave, { log });
}

/** Creates a key for a tenant through the same use case `npm run keys` uses. */
export async function issueKey(conclave: LocalConclave, tenantId: string, roles: string[], human = false): Promise<string> {
  const { key } = await createApiKey(conclave.deps, { tenantId, roles, human, label: 'test' });
  return key;
}

/** A 2026-07-28 (modern era) client from the SDK v2. */
export async function modernClient(conclave: LocalConclave, endpoint: EndpointId, key: string): Promise<Client> {
  const client = new Client({ name: 'conclave-test-modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${conclave.url}/mcp/${endpoint}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
  );
  return client;
}

/** A 2025-era client: the v1 SDK, which speaks up to 2025-11-25 with the initialize handshake. */
export async function legacyClient(conclave: LocalConclave, endpoint: EndpointId, key: string): Promise<LegacyClient> {
  const client = new LegacyClient({ name: 'conclave-test-legacy', version: '1.0.0' });
  await client.connect(new LegacyTransport(new URL(`${conclave.url}/mcp/${endpoint}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

/** POSTs raw bytes to an endpoint, for edge-rule tests. */
export function post(conclave: LocalConclave, path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${conclave.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body,
  });
}

/** Retries an assertion until it passes or the time is up (for effects that are eventually visible). */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
