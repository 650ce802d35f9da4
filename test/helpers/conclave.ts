import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'vitest';
import type { RateLimits } from '../../functions/contracts/rate-limits.js';
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
  overrides: { staleAfterMs?: number; embedder?: Embedder; rateLimits?: RateLimits } = {},
): Promise<LocalConclave & { log: ReturnType<typeof memoryLog> }> {
  const log = memoryLog();
  const conclave = await startLocal({
    port: 0,
    allowedOrigins: ['http://localhost:*'],
    staleAfterMs: overrides.staleAfterMs ?? 300_000,
    log,
    ...(overrides.embedder ? { embedder: overrides.embedder } : {}),
    ...(overrides.rateLimits ? { rateLimits: overrides.rateLimits } : {}),
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

/**
 * MCP clients acting as each role with one key (one tenant): a modern client per role, opened on first use.
 * `R` is what `ok` returns when no type is given.
 */
export class RoleClients<R = Record<string, unknown>> {
  private readonly clients = new Map<EndpointId, Client>();

  constructor(
    protected readonly conclave: LocalConclave,
    readonly key: string,
  ) {}

  /** Clients for a tenant, with a new human key granting all roles. */
  static async of<C>(this: new (conclave: LocalConclave, key: string) => C, conclave: LocalConclave, tenant: string): Promise<C> {
    return new this(conclave, await issueKey(conclave, tenant, ['all'], true));
  }

  async client(role: EndpointId): Promise<Client> {
    let client = this.clients.get(role);
    if (!client) {
      client = await modernClient(this.conclave, role, this.key);
      this.clients.set(role, client);
    }
    return client;
  }

  async call(role: EndpointId, name: string, args: Record<string, unknown> = {}) {
    return (await this.client(role)).callTool({ name, arguments: args });
  }

  /** Calls a tool and expects success; returns its structured content. */
  async ok<T = R>(role: EndpointId, name: string, args: Record<string, unknown> = {}): Promise<T> {
    const result = await this.call(role, name, args);
    expect(result.isError, `${role} ${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
    return result.structuredContent as T;
  }

  /** Calls a tool and expects a tool error; returns its text. */
  async refused(role: EndpointId, name: string, args: Record<string, unknown> = {}): Promise<string> {
    const result = await this.call(role, name, args);
    expect(result.isError, `${role} ${name} should be refused: ${JSON.stringify(result.content)}`).toBe(true);
    return JSON.stringify(result.content);
  }

  /** Like `refused`, but a protocol error (as for a tool the endpoint does not serve) counts too; returns its text. */
  async refusedOrThrows(role: EndpointId, name: string, args: Record<string, unknown> = {}): Promise<string> {
    const result = await this.call(role, name, args).catch((error: unknown) => ({ isError: true, content: String(error) }));
    expect(result.isError, `${role} ${name} should be refused: ${JSON.stringify(result.content)}`).toBe(true);
    return JSON.stringify(result.content);
  }

  /** Closes every client opened so far. */
  async close(): Promise<void> {
    for (const client of this.clients.values()) await client.close();
    this.clients.clear();
  }
}
