import type { DynamoDBClient} from '@aws-sdk/client-dynamodb';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_ROLES } from '../../functions/contracts/roles.js';
import { createApiKey, revokeApiKey } from '../../functions/core/auth/api-keys.js';
import { allTools } from '../../functions/mcp/tools/index.js';
import { LOCAL_TABLE, startLocal } from '../../functions/runtime/local.js';
import { hashingEmbedder } from '../helpers/embedders.js';
import { legacyClient, memoryLog, modernClient } from '../helpers/conclave.js';
import { messagesOf, preview, prng, toolCases, type Rng } from '../helpers/fuzz.js';

/** Every tool Conclave serves (the roles' own load on demand). */
const TOOLS = await allTools();

/**
 * Hostile input at the edge: well over a thousand malformed or hostile
 * requests, generated from a seeded PRNG (FUZZ_SEED reproduces a run). Every
 * response must be a well-formed refusal — a 4xx with a JSON error body, or a
 * JSON-RPC error, or a tool error result — never a 5xx or HTML; notifications
 * (which JSON-RPC never answers) may only get an empty 202. Afterwards the
 * server still serves, and the table holds exactly what it held before,
 * except audit entries: every refused tool call is audited by design.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2026);
const MIN_REQUESTS = 1000;
const CONCURRENCY = 8;
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'fuzz', version: '1' },
};

interface Case {
  readonly label: string;
  readonly path: string;
  readonly method?: string;
  readonly headers: Record<string, string | undefined>;
  readonly body?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  /** The exact status the edge owes this request, when one is specified. */
  readonly status?: number;
  /** A JSON-RPC notification or response: no answer is owed, so an empty 202 is fine. */
  readonly mayBeUnanswered?: boolean;
  /** A tools/call whose refusal must be a validation refusal. */
  readonly tool?: string;
}

type Conclave = Awaited<ReturnType<typeof startLocal>> & { log: ReturnType<typeof memoryLog> };

const rpc = (method: string, params?: unknown, id: unknown = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
const initialize = rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } });
const modernHeaders = (method: string, name?: string) => ({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) });

describe(`hostile input at the edge (seed ${SEED})`, () => {
  let conclave: Conclave;
  let dynamo: DynamoDBClient;
  const keys = { human: '', agent: '', ceoOnly: '', revoked: '' };
  let before: string[] = [];
  const problems: string[] = [];
  let sent = 0;

  beforeAll(async () => {
    const log = memoryLog();
    conclave = Object.assign(await startLocal({ port: 0, allowedOrigins: ['http://localhost:*'], staleAfterMs: 300_000, log, embedder: hashingEmbedder() }), { log });
    dynamo = conclave.engineClient();
    const key = async (roles: string[], human: boolean) => (await createApiKey(conclave.deps, { tenantId: 'fuzz', roles, human, label: 'fuzz' })).key;
    keys.human = await key(['all'], true);
    keys.agent = await key([...AGENT_ROLES], false);
    keys.ceoOnly = await key(['ceo'], false);
    const revocable = await createApiKey(conclave.deps, { tenantId: 'fuzz', roles: ['all'], human: true });
    await revokeApiKey(conclave.deps, revocable.record.keyId);
    keys.revoked = revocable.key;
    // Some real data for the fuzz to aim at: it must come through untouched.
    const cto = await modernClient(conclave, 'cto', keys.human);
    await cto.callTool({ name: 'heartbeat', arguments: { status: 'running', capabilities: ['fuzz-target'] } });
    await cto.callTool({ name: 'send_message', arguments: { to: 'ceo', subject: 'target', content: 'a message the fuzz must not change' } });
    await cto.callTool({ name: 'store_memory', arguments: { key: 'fuzz-target', content: 'a memory the fuzz must not change', tags: ['fuzz'] } });
    await cto.close();
    await settle();
    before = await snapshot();
    expect(before.length).toBeGreaterThan(5);
  }, 120_000);

  afterAll(async () => {
    dynamo?.destroy();
    await conclave?.close();
  });

  /** Waits for everything a request set off (events, audit writes) to land. */
  async function settle(): Promise<void> {
    await conclave.bus.drain();
    await new Promise((r) => setTimeout(r, 300));
    await conclave.bus.drain();
  }

  /** Every item in the table but audit entries, in key order. */
  async function snapshot(): Promise<string[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    // Audit entries and heartbeats are expected side effects of authenticated calls (every such call is its role's
    // heartbeat): an agent's record is compared without its heartbeat fields, and one that holds nothing but a heartbeat is left out.
    const withoutHeartbeat = (item: Record<string, AttributeValue>): Record<string, AttributeValue> | undefined => {
      if (!(item.sk?.S ?? '').startsWith('AGENT#')) return item;
      const { lastHeartbeat: _at, status: _status, ...rest } = item;
      return (rest.capabilities?.L ?? []).length === 0 && rest.version?.NULL === true ? undefined : rest;
    };
    return items
      .filter((item) => !/#AUDIT#/.test(item.pk?.S ?? ''))
      .flatMap((item): Record<string, AttributeValue>[] => {
        const kept = withoutHeartbeat(item);
        return kept ? [kept] : [];
      })
      .map((item) => JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))))
      .sort();
  }

  function edgeCases(rng: Rng): Case[] {
    const auth = { authorization: `Bearer ${keys.human}` };
    const cases: Case[] = [];
    const valid = [initialize, rpc('tools/list'), rpc('tools/call', { name: 'list_agents', arguments: {} })];
    // Broken JSON: truncations of valid requests, random bytes, stray tokens.
    for (let i = 0; i < 60; i++) {
      const source = rng.pick(valid);
      const cut = source.slice(0, 1 + rng.int(source.length - 2));
      cases.push({ label: `truncated JSON ${preview(cut)}`, path: '/mcp/ceo', headers: auth, body: cut, status: 400 });
    }
    for (let i = 0; i < 40; i++) {
      const bytes = Uint8Array.from({ length: 1 + rng.int(512) }, () => rng.int(256));
      bytes[0] = 0xff; // never a JSON token
      cases.push({ label: `random bytes (${bytes.length})`, path: '/mcp/ceo', headers: auth, body: bytes, status: 400 });
    }
    for (const body of ['', ' ', '{', '}', '[', 'nul', 'NaN', "{'single':'quotes'}", '{"a":1,}', '\ufeff{}', '{"jsonrpc":"2.0","id":1,"method":"ping"}}', '\u0000'])
      cases.push({ label: `broken JSON ${preview(body)}`, path: '/mcp/ceo', headers: auth, body, status: 400 });
    // Wrong JSON-RPC shapes.
    const shapes: [string, string][] = [
      ['a number', '42'],
      ['a string', '"tools/list"'],
      ['null', 'null'],
      ['an empty batch', '[]'],
      ['a batch with a non-object', JSON.stringify([JSON.parse(rpc('tools/list')), 42])],
      ['a nested batch', JSON.stringify([[JSON.parse(rpc('tools/list'))]])],
      ['no method', JSON.stringify({ jsonrpc: '2.0', id: 1 })],
      ['no jsonrpc', JSON.stringify({ id: 1, method: 'tools/list' })],
      ['jsonrpc 1.0', JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'tools/list' })],
      ['a numeric method', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 7 })],
      ['params as a string', rpc('tools/list', 'all')],
      ['params as an array', rpc('tools/call', ['list_agents'])],
      ['an object id', rpc('tools/list', undefined, { a: 1 })],
      ['a boolean id', rpc('tools/list', undefined, true)],
      ['a null id', rpc('tools/list', undefined, null)],
      ['a fractional id', rpc('tools/list', undefined, 1.5)],
      ['an array id', rpc('tools/list', undefined, [1])],
      ['deep nesting', '['.repeat(4000) + ']'.repeat(4000)],
    ];
    for (const [label, body] of shapes) cases.push({ label: `JSON-RPC shape: ${label}`, path: '/mcp/ceo', headers: auth, body, status: 400 });
    // Requests the server owes a JSON-RPC error: unknown methods, notifications sent with an id, batches of bad calls.
    for (let i = 0; i < 40; i++) {
      const method = rng.pick(['no/such', 'tools/destroy', 'admin/dump', 'resources/write', '../../etc/passwd', 'x'.repeat(1 + rng.int(300)), 'tools/list/extra', '']);
      cases.push({ label: `unknown method ${preview(method)} (2025)`, path: '/mcp/ceo', headers: auth, body: rpc(method || 'x', {}, i + 1) });
      cases.push({ label: `unknown method ${preview(method)} (2026)`, path: '/mcp/ceo', headers: { ...auth, ...modernHeaders(method || 'x') }, body: rpc(method || 'x', { _meta: ENVELOPE }, i + 1) });
    }
    for (const method of ['notifications/initialized', 'notifications/cancelled', 'notifications/progress', 'notifications/garbage'])
      cases.push({ label: `notification ${method} sent with an id`, path: '/mcp/ceo', headers: auth, body: rpc(method, {}, 99) });
    for (const method of ['notifications/initialized', 'notifications/garbage', 'notifications/roots/list_changed'])
      cases.push({ label: `notification ${method}`, path: '/mcp/ceo', headers: auth, body: JSON.stringify({ jsonrpc: '2.0', method }), mayBeUnanswered: true });
    cases.push({ label: 'a stray JSON-RPC response', path: '/mcp/ceo', headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: 5, result: { injected: true } }), mayBeUnanswered: true });
    cases.push({ label: 'a stray JSON-RPC error', path: '/mcp/ceo', headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: 5, error: { code: 1, message: 'x' } }), mayBeUnanswered: true });
    cases.push({
      label: 'a batch of refused calls',
      path: '/mcp/ceo',
      headers: auth,
      body: JSON.stringify([JSON.parse(rpc('tools/call', { name: 'vote', arguments: {} }, 1)), JSON.parse(rpc('no/such', {}, 2)), JSON.parse(rpc('tools/call', { name: 'nope', arguments: {} }, 3))]),
      tool: 'vote',
    });
    // Oversized bodies, declared or streamed without a length.
    for (const size of [1024 * 1024 + 1, 2 * 1024 * 1024, 5 * 1024 * 1024]) {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(size) } });
      cases.push({ label: `oversized body of ${body.length} bytes`, path: '/mcp/ceo', headers: auth, body, status: 413 });
      cases.push({ label: `oversized body of ${body.length} bytes without auth`, path: '/mcp/ceo', headers: {}, body, status: 413 });
    }
    for (const chunks of [17, 40]) {
      cases.push({
        label: `chunked body of ${chunks} × 64 KiB`,
        path: '/mcp/ceo',
        headers: auth,
        body: () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              const chunk = new TextEncoder().encode('y'.repeat(64 * 1024));
              for (let i = 0; i < chunks; i++) controller.enqueue(chunk);
              controller.close();
            },
          }),
        status: 413,
      });
    }
    // Header/body mismatches: protocol version, method and name headers, content type, accept.
    const listModern = rpc('tools/list', { _meta: ENVELOPE });
    cases.push({ label: '2026 header on an initialize body', path: '/mcp/ceo', headers: { ...auth, 'mcp-protocol-version': '2026-07-28' }, body: initialize, status: 400 });
    cases.push({ label: '2025 header on a 2026 envelope', path: '/mcp/ceo', headers: { ...auth, 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/list' }, body: listModern, status: 400 });
    cases.push({ label: 'garbage protocol header', path: '/mcp/ceo', headers: { ...auth, 'mcp-protocol-version': 'v999', 'mcp-method': 'tools/list' }, body: listModern, status: 400 });
    cases.push({ label: 'envelope without the method header', path: '/mcp/ceo', headers: { ...auth, 'mcp-protocol-version': '2026-07-28' }, body: listModern, status: 400 });
    cases.push({ label: 'method header disagreeing with the body', path: '/mcp/ceo', headers: { ...auth, ...modernHeaders('prompts/list') }, body: listModern, status: 400 });
    cases.push({
      label: 'name header disagreeing with the body',
      path: '/mcp/ceo',
      headers: { ...auth, ...modernHeaders('tools/call', 'list_agents') },
      body: rpc('tools/call', { name: 'heartbeat', arguments: { status: 'running' }, _meta: ENVELOPE }),
      status: 400,
    });
    cases.push({ label: '2026 header without the envelope', path: '/mcp/ceo', headers: { ...auth, ...modernHeaders('tools/list') }, body: rpc('tools/list', {}), status: 400 });
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', undefined])
      for (const body of [initialize, listModern])
        cases.push({ label: `content-type ${String(type)}`, path: '/mcp/ceo', headers: { ...auth, 'content-type': type, ...(body === listModern ? modernHeaders('tools/list') : {}) }, body, status: 415 });
    for (const accept of ['text/html', 'application/xml', 'text/event-stream'])
      cases.push({ label: `accept ${accept} (2025)`, path: '/mcp/ceo', headers: { ...auth, accept }, body: initialize, status: 406 });
    // Bad origins: refused before anything else.
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'https://localhost:3000', 'null', 'http://127.0.0.1.nip.io', 'file://', 'http://localhost:80a'])
      cases.push({ label: `origin ${origin}`, path: rng.pick(['/mcp/ceo', '/mcp/board', '/mcp/cto']), headers: { ...auth, origin }, body: initialize, status: 403 });
    // Missing, malformed, forged and revoked keys.
    const forged = () => `cnk_${Array.from({ length: 43 }, () => rng.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'])).join('')}`;
    const badAuth = ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', `Bearer ${keys.human} extra`, 'bearer', `Token ${keys.human}`, `Bearer ${keys.revoked}`, `Bearer ${keys.human.slice(0, -1)}`, `Bearer ${keys.human}x`];
    for (let i = 0; i < 20; i++) badAuth.push(`Bearer ${forged()}`);
    for (const authorization of badAuth) cases.push({ label: `authorization ${preview(authorization.replace(/cnk_\S+/, 'cnk_…'))}`, path: '/mcp/ceo', headers: { authorization }, body: initialize, status: 401 });
    // Unknown roles and paths, wrong methods.
    for (const path of ['/mcp/janitor', '/mcp/CEO', '/mcp/ceo/extra', '/mcp', '/mcp/', '/', '/mcp/conformance', '/mcp/board%00', '/mcp/%2e%2e/ceo', '/mcp/ceo.json', '/healthz/x', '/.well-known/anything'])
      cases.push({ label: `path ${path}`, path, headers: auth, body: initialize, status: 404 });
    for (const method of ['GET', 'DELETE', 'PUT', 'PATCH']) cases.push({ label: `${method} /mcp/ceo`, path: '/mcp/ceo', method, headers: auth, body: method === 'GET' || method === 'DELETE' ? undefined : initialize, status: 405 });
    // Roles the key may not act as: the human-only board with an agent key, and a role outside the key's grant.
    cases.push({ label: 'board with an agent key', path: '/mcp/board', headers: { authorization: `Bearer ${keys.agent}` }, body: initialize, status: 403 });
    cases.push({ label: 'board tool call with an agent key', path: '/mcp/board', headers: { authorization: `Bearer ${keys.agent}` }, body: rpc('tools/call', { name: 'rule_on_decision', arguments: { decision_id: 'x', ruling: 'approve', rationale: 'x' } }), status: 403 });
    for (const role of ['cto', 'test_lead', 'board']) cases.push({ label: `${role} with a ceo-only key`, path: `/mcp/${role}`, headers: { authorization: `Bearer ${keys.ceoOnly}` }, body: initialize, status: 403 });
    return cases;
  }

  function toolFuzzCases(rng: Rng): Case[] {
    const cases: Case[] = [];
    for (const tool of TOOLS) {
      const endpoint = tool.availableTo[0] as string;
      for (const c of toolCases(tool, rng)) {
        const modern = rng.next() < 0.5;
        const id = 1 + rng.int(1_000_000);
        cases.push({
          label: `${tool.name} ${modern ? '(2026)' : '(2025)'}: ${c.label}`,
          path: `/mcp/${endpoint}`,
          headers: { authorization: `Bearer ${keys.human}`, ...(modern ? modernHeaders('tools/call', tool.name) : {}) },
          body: rpc('tools/call', { name: tool.name, arguments: c.args, ...(modern ? { _meta: ENVELOPE } : {}) }, id),
          tool: tool.name,
        });
      }
    }
    return cases;
  }

  /** Why a response is not an acceptable refusal, or undefined when it is. */
  async function judge(c: Case, res: Response): Promise<string | undefined> {
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 200)}`;
    if (/html/i.test(type) || /^\s*</.test(text)) return `an HTML body (${type})`;
    if (c.status !== undefined && res.status !== c.status) return `status ${res.status}, expected ${c.status}: ${text.slice(0, 200)}`;
    if (res.status === 202) return c.mayBeUnanswered && text === '' ? undefined : `an unexpected 202 ${preview(text)}`;
    let messages: unknown[];
    try {
      messages = res.status === 200 ? messagesOf(type, text) : [JSON.parse(text)];
    } catch {
      return `status ${res.status} with a body that is not JSON: ${preview(text)}`;
    }
    if (res.status === 401 && !/^Bearer/.test(res.headers.get('www-authenticate') ?? '')) return '401 without WWW-Authenticate: Bearer';
    if (res.status >= 400) {
      const error = (messages[0] as { error?: { code?: unknown; message?: unknown } }).error;
      return error && (typeof error.code === 'number' || typeof error.code === 'string') && typeof error.message === 'string' ? undefined : `a ${res.status} without an error body: ${preview(text)}`;
    }
    if (res.status !== 200) return `status ${res.status}`;
    if (messages.length === 0) return 'a 200 without a message';
    for (const message of messages) {
      const m = message as { jsonrpc?: string; error?: { code?: unknown; message?: unknown }; result?: { isError?: boolean; content?: { text?: string }[] } };
      if (m.jsonrpc !== '2.0') return `a message without jsonrpc 2.0: ${preview(message)}`;
      if (m.error) {
        if (typeof m.error.code !== 'number' || typeof m.error.message !== 'string') return `a malformed JSON-RPC error: ${preview(message)}`;
        continue;
      }
      if (!c.tool || m.result?.isError !== true) return `accepted: ${preview(message)}`;
      const reason = m.result.content?.[0]?.text ?? '';
      if (!reason.startsWith('invalid_input:')) return `refused for another reason than validation: ${preview(reason)}`;
    }
    return undefined;
  }

  async function send(c: Case): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    for (const [name, value] of Object.entries(c.headers)) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    const body = typeof c.body === 'function' ? c.body() : c.body;
    const init = { method: c.method ?? 'POST', headers, ...(body === undefined ? {} : { body, duplex: 'half' }) } as RequestInit;
    sent++;
    let problem: string | undefined;
    try {
      problem = await judge(c, await fetch(`${conclave.url}${c.path}`, init));
    } catch (error) {
      problem = `the request failed: ${String(error)}`;
    }
    if (problem) problems.push(`${c.label}: ${problem}`);
  }

  it(`answers at least ${MIN_REQUESTS} hostile requests with well-formed refusals only`, { timeout: 600_000 }, async () => {
    const rng = prng(SEED);
    const cases = rng.shuffle([...edgeCases(rng), ...toolFuzzCases(rng)]);
    expect(cases.length).toBeGreaterThanOrEqual(MIN_REQUESTS);
    // Every registered tool is fuzzed.
    expect(new Set(cases.map((c) => c.tool).filter(Boolean))).toEqual(new Set(TOOLS.map((t) => t.name)));
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) await send(cases[next++] as Case);
      }),
    );
    expect(sent).toBe(cases.length);
    expect(problems, `seed ${SEED}: ${problems.length} of ${sent} responses were not well-formed refusals`).toEqual([]);
    // Nothing went down the 500 path, and no key reached the log.
    expect(conclave.log.lines.filter((l) => l.message === 'unhandled request error')).toEqual([]);
    for (const key of Object.values(keys)) expect(JSON.stringify(conclave.log.lines)).not.toContain(key);
    // Prototype-pollution payloads did not reach this process's objects (the server runs in it).
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps serving: valid calls in both eras succeed afterwards', async () => {
    expect((await fetch(`${conclave.url}/healthz`)).status).toBe(200);
    const modern = await modernClient(conclave, 'ceo', keys.human);
    const agents = await modern.callTool({ name: 'list_agents', arguments: {} });
    expect(agents.isError).toBeFalsy();
    expect(JSON.stringify(agents.structuredContent)).toContain('fuzz-target');
    await modern.close();
    const legacy = await legacyClient(conclave, 'board', keys.human);
    expect((await legacy.listTools()).tools.length).toBeGreaterThan(0);
    await legacy.close();
  });

  it('leaves the table exactly as it was, audit entries aside', async () => {
    await settle();
    expect(await snapshot()).toEqual(before);
  });
});
