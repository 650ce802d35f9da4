import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITED_CODE } from '../../functions/contracts/rate-limits.js';
import { eventually, issueKey, legacyClient, modernClient, post, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;

/**
 * The front door as clients meet it on `npm start`: a runaway client is cut
 * off with 429 and a message it can show, others carry on, the board sees
 * and changes its limits, and the CEO and board hear of the daily ceiling.
 */
describe('front door (real MCP clients on the local server)', () => {
  let conclave: Conclave;

  beforeAll(async () => {
    // Small limits so a test reaches them quickly; burst large enough that the per-minute counts bind.
    conclave = await startTestConclave({ rateLimits: { keyPerMinute: 12, tenantPerMinute: 1000, burst: 100, dailyToolCalls: 10 } });
  });
  afterAll(async () => {
    await conclave.close();
  });

  it('cuts off a runaway key with an error naming the limit, while another key of the tenant carries on', async () => {
    const runaway = await issueKey(conclave, 'acme', ['cto']);
    const calm = await issueKey(conclave, 'acme', ['cto']);
    const client = await modernClient(conclave, 'cto', runaway);
    let error: unknown;
    for (let i = 0; i < 20 && !error; i++) {
      try {
        await client.listTools();
      } catch (caught) {
        error = caught;
      }
    }
    expect(String(error)).toMatch(/Rate limit exceeded: this key's limit of 12 requests per minute \(key_per_minute\)|429/);
    // The raw answer: 429, Retry-After and the documented JSON-RPC error.
    const raw = await post(conclave, '/mcp/cto', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), { authorization: `Bearer ${runaway}` });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await raw.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: RATE_LIMITED_CODE, data: { limit: 'key_per_minute', value: 12 } } });
    const other = await legacyClient(conclave, 'cto', calm);
    expect((await other.listTools()).tools.length).toBeGreaterThan(0);
    await other.close();
  });

  it('lets the board see and change its limits, and tells the CEO and board once when the daily ceiling is reached', async () => {
    const board = await issueKey(conclave, 'globex', ['board'], true);
    const ceoKey = await issueKey(conclave, 'globex', ['ceo']);
    const boardClient = await legacyClient(conclave, 'board', board);
    const limits = await boardClient.callTool({ name: 'get_rate_limits', arguments: {} });
    expect(limits.structuredContent).toMatchObject({ enabled: true, key_per_minute: 12, daily_tool_calls: 10, overridden: [] });
    const changed = await boardClient.callTool({ name: 'set_rate_limits', arguments: { key_per_minute: 500, daily_tool_calls: 8 } });
    expect(changed.structuredContent).toMatchObject({ key_per_minute: 500, daily_tool_calls: 8, overridden: ['key_per_minute', 'daily_tool_calls'] });
    const refused = await boardClient.callTool({ name: 'set_rate_limits', arguments: { burst: 0 } });
    expect(refused.isError).toBe(true);

    // The ceiling counts every tool call of the tenant (the board's three above included).
    const ceo = await legacyClient(conclave, 'ceo', ceoKey);
    let stopped: unknown;
    for (let i = 0; i < 15 && !stopped; i++) {
      try {
        await ceo.callTool({ name: 'list_agents', arguments: {} });
      } catch (caught) {
        stopped = caught;
      }
    }
    expect(String(stopped)).toMatch(/daily ceiling of (10|8) tool calls|429/);
    await eventually(async () => {
      const inbox = await conclave.deps.store.query({ pk: `T#globex#INBOX#ceo` });
      expect(inbox.items.filter((m) => String(m.subject).startsWith('Daily tool-call ceiling reached'))).toHaveLength(1);
    });
    const boardInbox = await conclave.deps.store.query({ pk: `T#globex#INBOX#board` });
    expect(boardInbox.items.filter((m) => String(m.subject).startsWith('Daily tool-call ceiling reached'))).toHaveLength(1);
    await ceo.close();
    await boardClient.close();
  });
});
