import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { ORIGIN_VERIFY_HEADER, RATE_LIMITED_CODE, type RateLimits } from '../../functions/contracts/rate-limits.js';
import { createApiKey } from '../../functions/core/auth/api-keys.js';
import type { Deps } from '../../functions/core/context.js';
import { ForbiddenError, ValidationError } from '../../functions/core/errors.js';
import { keys } from '../../functions/core/keys.js';
import { readTenantLimits, setTenantLimits } from '../../functions/core/limits/tenant-limits.js';
import type { Actor } from '../../functions/core/principal.js';
import { createHttpApp, type HttpApp } from '../../functions/mcp/http.js';
import { TokenBucket } from '../../functions/mcp/token-bucket.js';
import { noMetrics } from '../../functions/adapters/local/memory-metrics.js';
import { testDeps } from '../helpers/deps.js';

const MINUTE = 60_000;

describe('TokenBucket', () => {
  it('admits a burst at once, then paces at the per-minute rate', () => {
    const bucket = new TokenBucket(3, 60, 0);
    expect([1, 2, 3].map(() => bucket.take(0).ok)).toEqual([true, true, true]);
    const refused = bucket.take(0);
    expect(refused).toEqual({ ok: false, waitMs: 1000 });
    expect(bucket.take(999).ok).toBe(false);
    expect(bucket.take(1000).ok).toBe(true);
  });

  it('never holds more than its capacity and shrinks to a new one', () => {
    const bucket = new TokenBucket(2, 600, 0);
    expect(bucket.full(10 * MINUTE)).toBe(true);
    bucket.reshape(1, 600);
    expect(bucket.take(10 * MINUTE).ok).toBe(true);
    expect(bucket.take(10 * MINUTE).ok).toBe(false);
  });
});

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'limits-test', version: '1' } },
});
const toolCall = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_agents', arguments: {} } });

function request(path: string, key: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${key}`, ...headers },
    body,
  });
}

describe('the front door (HTTP edge over the in-memory store, a fake clock)', () => {
  let now: number;
  let deps: Deps;
  const limits: RateLimits = { keyPerMinute: 10, tenantPerMinute: 25, burst: 4, dailyToolCalls: 1000 };

  beforeEach(() => {
    now = Date.UTC(2026, 11, 6, 10, 0, 0);
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => now }, settings: { staleAfterMs: MINUTE, rateLimits: limits } });
  });

  const app = (options: { originSecret?: string } = {}): HttpApp =>
    createHttpApp(deps, { allowedOrigins: [], authCacheMs: 0, metrics: noMetrics, ...(options.originSecret ? { frontDoor: { originSecret: options.originSecret } } : {}) });
  const keyOf = async (tenantId: string, roles = ['ceo', 'cto']): Promise<string> => (await createApiKey(deps, { tenantId, roles, human: false })).key;
  /** Sends `count` initialize requests one by one (the clock moves `stepMs` before each) and returns their statuses. */
  async function send(server: HttpApp, key: string, count: number, stepMs = 0, body = initialize): Promise<Response[]> {
    const out: Response[] = [];
    for (let i = 0; i < count; i++) {
      now += stepMs;
      out.push(await server(request('/mcp/ceo', key, body)));
      await server.flush();
    }
    return out;
  }

  it('answers a key over its per-minute limit with 429, Retry-After and a JSON-RPC error naming the limit', async () => {
    const server = app();
    const key = await keyOf('acme');
    // 10 a minute, 4 at once: spread over the minute, exactly 10 are admitted.
    const responses = await send(server, key, 12, 4_000);
    expect(responses.map((r) => r.status)).toEqual([...Array(10).fill(200), 429, 429]);
    const refused = responses[10] as Response;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { error: { code: number; message: string; data: Record<string, unknown> } };
    expect(body.error.code).toBe(RATE_LIMITED_CODE);
    expect(body.error.message).toMatch(/this key's limit of 10 requests per minute \(key_per_minute\); retry after \d+ s/);
    expect(body.error.data).toMatchObject({ limit: 'key_per_minute', value: 10, retry_after_seconds: retryAfter });
    expect(Date.parse(String(body.error.data.resets_at)) - now).toBeLessThanOrEqual(retryAfter * 1000);
  });

  it('paces a burst: the fifth request at once waits for a token, about a second at 10 a minute', async () => {
    const server = app();
    const key = await keyOf('acme');
    const statuses = (await send(server, key, 5)).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    now += 6_000;
    expect((await send(server, key, 1)).map((r) => r.status)).toEqual([200]);
  });

  it('leaves other keys and other tenants alone, and admits the key again in the next window', async () => {
    const server = app();
    const limited = await keyOf('acme');
    const sibling = await keyOf('acme');
    const stranger = await keyOf('globex');
    await send(server, limited, 10, 5_000);
    expect((await send(server, limited, 1)).map((r) => r.status)).toEqual([429]);
    expect((await send(server, sibling, 3)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await send(server, stranger, 3)).map((r) => r.status)).toEqual([200, 200, 200]);
    now = Math.ceil(now / MINUTE) * MINUTE + 1;
    expect((await send(server, limited, 1)).map((r) => r.status)).toEqual([200]);
  });

  it("holds a tenant to its own limit over all its keys", async () => {
    const server = app();
    const tenantKeys = await Promise.all([1, 2, 3, 4].map(() => keyOf('acme')));
    let admitted = 0;
    // Four keys, each well within its own 10 a minute, over 58 s: the tenant's 25 binds.
    for (let round = 0; round < 29; round++) {
      now += 2_000;
      for (const key of tenantKeys.slice(0, 1 + (round % 4))) if ((await send(server, key, 1))[0]?.status === 200) admitted++;
    }
    expect(admitted).toBe(25);
    const refused = await send(server, tenantKeys[3] as string, 1);
    expect(((await refused[0]?.json()) as { error: { data: { limit: string } } }).error.data.limit).toBe('tenant_per_minute');
  });

  it('keeps two instances sharing one table within the documented overshoot (burst per instance)', async () => {
    const first = app();
    const second = app();
    const key = await keyOf('acme');
    let admitted = 0;
    // Both instances take requests concurrently, ten at a time, within one minute window.
    for (let round = 0; round < 29; round++) {
      now += 2_000;
      const statuses = await Promise.all([first, second].flatMap((server) => [0, 1, 2, 3, 4].map(async () => (await server(request('/mcp/ceo', key, initialize))).status)));
      admitted += statuses.filter((s) => s === 200).length;
      await Promise.all([first.flush(), second.flush()]);
    }
    expect(admitted).toBeGreaterThanOrEqual(limits.keyPerMinute);
    expect(admitted).toBeLessThanOrEqual(limits.keyPerMinute + 2 * limits.burst);
    const counted = await deps.store.get(keys.rateWindow('acme', `key#${(await readKeyId(key))}`, `m${Math.floor((now - 1) / MINUTE)}`));
    expect(Number(counted?.count ?? 0)).toBeGreaterThan(0);
  });

  it("stops a tenant at its daily tool-call ceiling and tells its CEO and board once", async () => {
    const actor: Actor = { tenantId: 'acme', keyId: 'board-key', roles: ['board'], human: true, actingAs: 'board' };
    await setTenantLimits(deps, actor, { dailyToolCalls: 3, keyPerMinute: 100, burst: 100 });
    const first = app();
    const second = app();
    const key = await keyOf('acme');
    const statuses: number[] = [];
    for (const server of [first, second, first, second, first, second]) {
      now += 1_000;
      statuses.push((await server(request('/mcp/ceo', key, toolCall))).status);
      await server.flush();
    }
    // Exact on one instance; the other may admit what it admitted since its last write (here one call).
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(3);
    expect(admitted).toBeLessThanOrEqual(4);
    expect(statuses.slice(-2)).toEqual([429, 429]);
    // Other requests than tool calls still pass.
    expect((await first(request('/mcp/ceo', key, initialize))).status).toBe(200);
    for (const recipient of ['ceo', 'board'] as const) {
      const inbox = await deps.store.query({ pk: keys.inbox('acme', recipient) });
      expect(inbox.items.map((m) => m.subject)).toEqual(['Daily tool-call ceiling reached (3)']);
    }
    const other = await deps.store.query({ pk: keys.inbox('acme', 'cto') });
    expect(other.items).toEqual([]);
    // The next UTC day starts afresh.
    now = Date.UTC(2026, 11, 7, 0, 0, 1);
    expect((await first(request('/mcp/ceo', key, toolCall))).status).toBe(200);
  });

  it('audits a refused key once per window, not once per refusal', async () => {
    const server = app();
    const key = await keyOf('acme');
    await send(server, key, 15, 1_000);
    const day = await deps.store.query({ pk: keys.auditPartition('acme', now) });
    const refusals = day.items.filter((i) => String(i.action).startsWith('limit:'));
    expect(refusals.map((i) => [i.action, i.errorCode])).toEqual([['limit:key_per_minute', 'rate_limited']]);
  });

  it('refuses a request without the origin secret before reading anything, when one is configured', async () => {
    const secret = 's'.repeat(40);
    const server = app({ originSecret: secret });
    const key = await keyOf('acme');
    const bypass = await server(request('/mcp/ceo', key, initialize));
    expect(bypass.status).toBe(403);
    expect((await server(request('/healthz', key, '', { [ORIGIN_VERIFY_HEADER]: 'wrong' }))).status).toBe(403);
    expect((await server(request('/mcp/ceo', key, initialize, { [ORIGIN_VERIFY_HEADER]: secret }))).status).toBe(200);
  });

  it('serves without limits when the deployment turns them off', async () => {
    deps = { ...deps, settings: { staleAfterMs: MINUTE } };
    const server = app();
    const key = await keyOf('acme');
    expect((await send(server, key, 30)).every((r) => r.status === 200)).toBe(true);
  });
});

async function readKeyId(key: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

describe('tenant limits (board overrides)', () => {
  let deps: Deps;
  const board: Actor = { tenantId: 'acme', keyId: 'k1', roles: ['board'], human: true, actingAs: 'board' };

  beforeAll(() => {
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => Date.UTC(2026, 11, 6) } });
  });

  it('overrides some limits, keeps the defaults for the others, and returns one to its default with null', async () => {
    const defaults: RateLimits = { keyPerMinute: 120, tenantPerMinute: 600, burst: 20, dailyToolCalls: 20_000 };
    const set = await setTenantLimits(deps, board, { keyPerMinute: 30, dailyToolCalls: 500 }, defaults);
    expect(set).toMatchObject({ limits: { keyPerMinute: 30, tenantPerMinute: 600, burst: 20, dailyToolCalls: 500 }, updatedBy: 'k1' });
    expect(set.overridden).toEqual(['keyPerMinute', 'dailyToolCalls']);
    const reset = await setTenantLimits(deps, board, { keyPerMinute: null }, defaults);
    expect(reset.limits.keyPerMinute).toBe(120);
    expect((await readTenantLimits(deps, 'globex', defaults)).overridden).toEqual([]);
  });

  it('refuses values out of bounds, an empty change and anyone but a human board, changing nothing', async () => {
    const before = await readTenantLimits(deps, 'acme');
    await expect(setTenantLimits(deps, board, { burst: 0 })).rejects.toThrow(new ValidationError('burst must be a whole number from 1 to 10000, got 0'));
    await expect(setTenantLimits(deps, board, { keyPerMinute: 1.5 })).rejects.toThrow(ValidationError);
    await expect(setTenantLimits(deps, board, {})).rejects.toThrow(/name at least one limit/);
    await expect(setTenantLimits(deps, { ...board, human: false }, { burst: 5 })).rejects.toThrow(ForbiddenError);
    await expect(setTenantLimits(deps, { ...board, actingAs: 'ceo', roles: ['ceo'] }, { burst: 5 })).rejects.toThrow(ForbiddenError);
    expect(await readTenantLimits(deps, 'acme')).toEqual(before);
  });
});
