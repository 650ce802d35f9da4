import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../functions/contracts/events.js';
import { ENDPOINTS, type EndpointId } from '../../functions/contracts/roles.js';
import { PackagedEmbedder } from '../../functions/adapters/local/packaged-embedder.js';
import { hashingEmbedder, switchableEmbedder } from '../helpers/embedders.js';
import { issueKey, legacyClient, modernClient, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
type Client = Awaited<ReturnType<typeof modernClient>>;
interface Hit {
  key: string;
  content: string;
  tags: string[];
  score: number;
  semantic_score: number | null;
  lexical_score: number;
  author: string;
}
interface Search {
  results: Hit[];
  mode: string;
  unembedded: number;
}

const MEMORY_TOOLS = ['store_memory', 'search_memories', 'get_memory', 'forget_memory', 'list_memories'];

/** Tool calls as a client makes them, with the results as structured content. */
function caller(conclave: () => Conclave) {
  const clients = new Map<string, Client>();
  const as = async (role: EndpointId, key: string): Promise<Client> => {
    const id = `${role}:${key}`;
    if (!clients.has(id)) clients.set(id, await modernClient(conclave(), role, key));
    return clients.get(id) as Client;
  };
  const call = async (role: EndpointId, key: string, name: string, args: Record<string, unknown>) => (await as(role, key)).callTool({ name, arguments: args });
  return {
    call,
    ok: async <T>(role: EndpointId, key: string, name: string, args: Record<string, unknown>): Promise<T> => {
      const result = await call(role, key, name, args);
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      return result.structuredContent as T;
    },
    refused: async (role: EndpointId, key: string, name: string, args: Record<string, unknown>): Promise<string> => {
      const result = await call(role, key, name, args);
      expect(result.isError).toBe(true);
      return JSON.stringify(result.content);
    },
    close: async () => {
      for (const c of clients.values()) await c.close();
    },
  };
}

describe('organizational memory over MCP (the packaged offline model)', () => {
  let conclave: Conclave;
  let acme: string;
  let globex: string;
  const events: BusEvent[] = [];
  const tools = caller(() => conclave);

  beforeAll(async () => {
    conclave = await startTestConclave({ embedder: new PackagedEmbedder() });
    acme = await issueKey(conclave, 'acme', ['all'], true);
    globex = await issueKey(conclave, 'globex', ['all'], true);
    conclave.bus.tap((e) => events.push(e));
  });
  afterAll(async () => {
    await tools.close();
    await conclave.close();
  });

  it('lists the memory tools with output schemas on every endpoint, the board included, for both protocol eras', async () => {
    for (const endpoint of ['cto', 'board'] as const) {
      const modern = await modernClient(conclave, endpoint, acme);
      const legacy = await legacyClient(conclave, endpoint, acme);
      for (const client of [modern, legacy]) {
        const listed = (await client.listTools()).tools.filter((t) => MEMORY_TOOLS.includes(t.name));
        expect(listed.map((t) => t.name).sort()).toEqual([...MEMORY_TOOLS].sort());
        for (const tool of listed) expect(tool.outputSchema, tool.name).toBeDefined();
        expect(listed.find((t) => t.name === 'search_memories')?.annotations).toMatchObject({ readOnlyHint: true });
        expect(listed.find((t) => t.name === 'forget_memory')?.annotations).toMatchObject({ destructiveHint: true });
        await client.close();
      }
    }
    expect(ENDPOINTS).toContain('board');
  });

  it('stores memories from several roles and finds them by meaning, with ranked scores and the author', async () => {
    const store = (role: EndpointId, key: string, content: string, tags: string[]) => tools.ok<{ created: boolean }>(role, acme, 'store_memory', { key, content, tags });
    expect(
      await store('operations_head', 'postmortem/INC-2041', 'Postmortem INC-2041: checkout failed for 47 minutes because the orders database ran out of disk space.', ['postmortem', 'checkout']),
    ).toMatchObject({ created: true });
    await store('ceo', 'finance/q3', 'Quarterly revenue grew 12% to 4.1M USD, driven by enterprise plans.', ['finance']);
    await store('chro', 'people/hire-priya', 'Priya Raman joins as staff engineer on the payments team.', ['hire']);
    await store('cto', 'decision/kafka', 'Order events go through Kafka (MSK) rather than Kinesis for ordering and retention.', ['decision']);

    const found = await tools.ok<Search>('senior_developer', acme, 'search_memories', { query: 'the database was down', limit: 3 });
    expect(found.mode).toBe('hybrid');
    expect(found.results[0]).toMatchObject({ key: 'postmortem/INC-2041', author: 'operations_head', tags: ['postmortem', 'checkout'] });
    expect(found.results[0]?.semantic_score).toBeGreaterThan(found.results.at(-1)?.semantic_score ?? 1);
    expect(found.results.map((r) => r.score)).toEqual([...found.results.map((r) => r.score)].sort((a, b) => b - a));

    const money = await tools.ok<Search>('product_manager', acme, 'search_memories', { query: 'how much revenue did we make', limit: 1 });
    expect(money.results.map((r) => r.key)).toEqual(['finance/q3']);
    const exact = await tools.ok<Search>('test_lead', acme, 'search_memories', { query: 'INC-2041', limit: 2 });
    expect(exact.results[0]?.key).toBe('postmortem/INC-2041');
    const tagged = await tools.ok<Search>('cto', acme, 'search_memories', { query: 'engineer', tags: ['decision'] });
    expect(tagged.results.map((r) => r.key)).toEqual(['decision/kafka']);
    expect(events.filter((e) => e['detail-type'] === 'Memory.Stored.v1').map((e) => (e.detail as { key: string }).key)).toContain('people/hire-priya');
  });

  it('upserts by key, gets by key, lists by tag or author, and forgets for good', async () => {
    const updated = await tools.ok<{ created: boolean; memory: { content: string; author: string; created_by: string; tags: string[] } }>(
      'ceo',
      acme,
      'store_memory',
      { key: 'people/hire-priya', content: 'Priya Raman joined on 3 February as staff engineer on payments; she mentors two new backend engineers.', metadata: { start: '2026-02-03' } },
    );
    expect(updated).toMatchObject({ created: false, memory: { author: 'ceo', created_by: 'chro', tags: ['hire'] } });
    expect(await tools.ok('board', acme, 'get_memory', { key: 'people/hire-priya' })).toMatchObject({ metadata: { start: '2026-02-03' }, embedding: 'ready' });

    const byTag = await tools.ok<{ memories: { key: string; preview: string }[]; next_cursor: string | null }>('cto', acme, 'list_memories', { tag: 'hire' });
    expect(byTag.memories.map((m) => m.key)).toEqual(['people/hire-priya']);
    const byAuthor = await tools.ok<{ memories: { key: string }[] }>('cto', acme, 'list_memories', { author: 'ceo' });
    expect(byAuthor.memories.map((m) => m.key).sort()).toEqual(['finance/q3', 'people/hire-priya']);
    const page = await tools.ok<{ memories: unknown[]; next_cursor: string | null }>('cto', acme, 'list_memories', { limit: 2 });
    expect(page.memories).toHaveLength(2);
    const rest = await tools.ok<{ memories: unknown[]; next_cursor: string | null }>('cto', acme, 'list_memories', { limit: 2, cursor: page.next_cursor });
    expect(rest).toMatchObject({ next_cursor: null });
    expect(rest.memories).toHaveLength(2);

    expect(await tools.ok('cto', acme, 'forget_memory', { key: 'decision/kafka' })).toMatchObject({ key: 'decision/kafka', forgotten: true });
    expect(await tools.refused('cto', acme, 'get_memory', { key: 'decision/kafka' })).toContain('not_found');
    const after = await tools.ok<Search>('cto', acme, 'search_memories', { query: 'Kafka order events', limit: 10 });
    expect(after.results.map((r) => r.key)).not.toContain('decision/kafka');
    expect(events.filter((e) => e['detail-type'] === 'Memory.Forgotten.v1').map((e) => e.detail)).toEqual([expect.objectContaining({ key: 'decision/kafka', author: 'cto', tenant_id: 'acme' })]);
  });

  it("keeps tenants apart: globex's key cannot read, search, list or forget acme's memories", async () => {
    expect(await tools.refused('ceo', globex, 'get_memory', { key: 'finance/q3' })).toContain('not_found');
    expect((await tools.ok<Search>('ceo', globex, 'search_memories', { query: 'quarterly revenue', limit: 10 })).results).toEqual([]);
    expect((await tools.ok<{ memories: unknown[] }>('ceo', globex, 'list_memories', {})).memories).toEqual([]);
    expect(await tools.refused('ceo', globex, 'forget_memory', { key: 'finance/q3' })).toContain('not_found');
    // The same key in globex is globex's own memory.
    await tools.ok('ceo', globex, 'store_memory', { key: 'finance/q3', content: 'Globex revenue is confidential.' });
    expect(await tools.ok('ceo', acme, 'get_memory', { key: 'finance/q3' })).toMatchObject({ content: expect.stringContaining('4.1M USD') });
  });

  it('refuses bad input with a clear tool error and stores nothing', async () => {
    expect(await tools.refused('cto', acme, 'store_memory', { key: '', content: 'x' })).toContain('invalid_input');
    expect(await tools.refused('cto', acme, 'store_memory', { key: 'k', content: 'x', tags: ['bad\ttag'] })).toMatch(/invalid_input.*tag/);
    expect(await tools.refused('cto', acme, 'search_memories', { query: 'x', limit: 500 })).toContain('invalid_input');
    expect(await tools.refused('cto', acme, 'search_memories', { query: 'x', min_score: 2 })).toContain('invalid_input');
    expect(await tools.refused('cto', acme, 'list_memories', { cursor: 'not-a-cursor' })).toContain('invalid cursor');
    expect(await tools.refused('cto', acme, 'get_memory', { key: 'k' })).toContain('not_found');
  });
});

describe('organizational memory over MCP when the embedding model is down', () => {
  let conclave: Conclave;
  let key: string;
  const embedder = switchableEmbedder(hashingEmbedder());
  const tools = caller(() => conclave);

  beforeAll(async () => {
    conclave = await startTestConclave({ embedder });
    key = await issueKey(conclave, 'acme', ['all'], true);
  });
  afterAll(async () => {
    await tools.close();
    await conclave.close();
  });

  it('stores as pending, finds lexically meanwhile, and embeds on the next search once the model is back', async () => {
    embedder.failing = true;
    const stored = await tools.ok<{ memory: { embedding: string } }>('operations_head', key, 'store_memory', {
      key: 'postmortem/INC-2060',
      content: 'INC-2060: 312 customers were charged twice after a Stripe timeout.',
      tags: ['postmortem'],
    });
    expect(stored.memory.embedding).toBe('pending');
    const lexical = await tools.ok<Search>('cto', key, 'search_memories', { query: 'charged twice' });
    expect(lexical).toMatchObject({ mode: 'lexical', unembedded: 1, results: [{ key: 'postmortem/INC-2060', semantic_score: null }] });

    embedder.failing = false;
    const hybrid = await tools.ok<Search>('cto', key, 'search_memories', { query: 'charged twice' });
    expect(hybrid).toMatchObject({ mode: 'hybrid', unembedded: 0, results: [{ key: 'postmortem/INC-2060' }] });
    expect(hybrid.results[0]?.semantic_score).toBeGreaterThan(0);
    expect(await tools.ok('cto', key, 'get_memory', { key: 'postmortem/INC-2060' })).toMatchObject({ embedding: 'ready' });
    expect(conclave.log.lines.some((l) => l.level === 'warn' && /without a vector/.test(l.message))).toBe(true);
  });
});
