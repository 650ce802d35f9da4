import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { NotFoundError, ValidationError } from '../../functions/core/errors.js';
import { keys } from '../../functions/core/keys.js';
import { embedPending } from '../../functions/core/memory/embed-pending.js';
import { forgetMemory } from '../../functions/core/memory/forget-memory.js';
import { getMemory } from '../../functions/core/memory/get-memory.js';
import { listMemories } from '../../functions/core/memory/list-memories.js';
import { reembedMemories } from '../../functions/core/memory/reembed-memories.js';
import { searchMemories } from '../../functions/core/memory/search-memories.js';
import { storeMemory } from '../../functions/core/memory/store-memory.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import type { Embedder } from '../../functions/ports/embedder.js';
import { timeOrderedIds } from '../../functions/runtime/ids.js';
import { hashingEmbedder, switchableEmbedder } from '../helpers/embedders.js';
import { memoryLog } from '../helpers/conclave.js';
import { unusedWorkflows } from '../helpers/workflows.js';
import { fakeS3Vectors } from '../helpers/s3-vectors-fake.js';
import { HnswVectorIndex } from '../../functions/adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../../functions/adapters/local/local-lexical-index.js';
import { TableLexicalIndex } from '../../functions/adapters/aws/table-lexical-index.js';
import type { LexicalIndex } from '../../functions/ports/lexical-index.js';
import type { Store } from '../../functions/ports/store.js';
import type { VectorIndex } from '../../functions/ports/vector-index.js';

const ctx = { correlationId: 'corr-1' };

/**
 * The same use-case tests run against both index configurations: the local
 * one (HNSW + the in-process postings) and the AWS one (S3 Vectors through
 * the real client on an in-memory fake, postings in the table).
 */
const INDEXES: readonly { name: string; build: (store: Store) => { vectors: VectorIndex; lexicon: LexicalIndex } }[] = [
  { name: 'local indexes (HNSW, postings in process)', build: () => ({ vectors: new HnswVectorIndex(), lexicon: new LocalLexicalIndex() }) },
  { name: 'AWS indexes (S3 Vectors client on a fake, postings in the table)', build: (store) => ({ vectors: fakeS3Vectors({ pageSize: 3 }).index(), lexicon: new TableLexicalIndex(store) }) },
];

describe.each(INDEXES)('organizational memory (use cases against the in-memory store) with $name', ({ build }) => {
  let dynamo: MemoryStore;
  let now = Date.parse('2026-11-21T09:00:00.000Z');
  const clock = { now: () => now };
  const published: OutboundEvent[] = [];
  let tenantSeq = 0;
  let tenant: string;

  let indexes: { vectors: VectorIndex; lexicon: LexicalIndex };

  /** Deps as one process builds them; a new connection stands for another process (sharing the tenant's indexes, as Lambda instances share S3 Vectors). */
  function depsWith(embedder: Embedder, store = dynamo.connect()): Deps {
    return {
      store,
      ...indexes,
      bus: { publish: async (events) => void published.push(...events) },
      clock,
      ids: timeOrderedIds(clock),
      log: memoryLog(),
      embedder,
      workflows: unusedWorkflows,
      settings: { staleAfterMs: 60_000 },
    };
  }

  beforeAll(async () => {
    dynamo = new MemoryStore();
    indexes = build(dynamo.connect());
  });
  afterAll(async () => {
  });
  beforeEach(() => {
    tenant = `t${++tenantSeq}`;
    published.length = 0;
    now += 60_000;
  });

  const store = (deps: Deps, key: string, content: string, extra: { tags?: string[]; metadata?: Record<string, unknown>; author?: 'cto' | 'ceo' | 'operations_head'; tenantId?: string } = {}) =>
    storeMemory(deps, ctx, { tenantId: extra.tenantId ?? tenant, key, content, author: extra.author ?? 'cto', ...(extra.tags ? { tags: extra.tags } : {}), ...(extra.metadata ? { metadata: extra.metadata } : {}) });
  const keysOf = (r: { results: { key: string }[] }) => r.results.map((h) => h.key);

  describe('store_memory is an upsert by key', () => {
    it('creates, then replaces content while keeping creation facts; omitted tags and metadata are kept, given ones replace', async () => {
      const deps = depsWith(hashingEmbedder());
      const first = await store(deps, 'decision/db', 'We adopt Postgres 17.', { tags: ['Decision', 'database', 'decision'], metadata: { id: 'DEC-1' } });
      expect(first.created).toBe(true);
      expect(first.memory).toMatchObject({ key: 'decision/db', tags: ['decision', 'database'], metadata: { id: 'DEC-1' }, author: 'cto', created_by: 'cto', embedding: 'ready' });

      now += 1000;
      const second = await store(deps, 'decision/db', 'We adopt Postgres 17 on Aurora.', { author: 'ceo' });
      expect(second.created).toBe(false);
      expect(second.memory).toMatchObject({ content: 'We adopt Postgres 17 on Aurora.', tags: ['decision', 'database'], metadata: { id: 'DEC-1' }, author: 'ceo', created_by: 'cto' });
      expect(second.memory.created_at).toBe(first.memory.created_at);
      expect(Date.parse(second.memory.updated_at)).toBeGreaterThan(Date.parse(first.memory.updated_at));

      const third = await store(deps, 'decision/db', 'We adopt Postgres 17 on Aurora.', { tags: ['archived'], metadata: {} });
      expect(third.memory).toMatchObject({ tags: ['archived'], metadata: {} });
      expect(await getMemory(deps, tenant, 'decision/db')).toEqual(third.memory);

      const stored = await deps.store.get(keys.memory(tenant, 'decision/db'));
      expect(stored?.version).toBe(3);
      expect(stored?.vector).toBeInstanceOf(Uint8Array);
      expect((stored?.vector as Uint8Array).byteLength).toBe(516);
      expect(stored).toMatchObject({ vector_model: 'test/hashing-bag-of-words', vector_dims: 512, embedding: 'ready' });
      expect(published.map((e) => [e.detailType, e.detail.created])).toEqual([
        ['Memory.Stored.v1', true],
        ['Memory.Stored.v1', false],
        ['Memory.Stored.v1', false],
      ]);
      expect(published[0]?.detail).toMatchObject({ tenant_id: tenant, key: 'decision/db', author: 'cto', tags: ['decision', 'database'], correlation_id: 'corr-1' });
    });

    it('embeds again only when the content changes', async () => {
      const embedder = hashingEmbedder();
      const deps = depsWith(embedder);
      await store(deps, 'k', 'first content');
      await store(deps, 'k', 'first content', { tags: ['retagged'] });
      await store(deps, 'k', 'second content');
      expect(embedder.calls.flat()).toEqual(['k. first content', 'k. second content']);
    });

    it('keeps every one of many concurrent writes of one key as a version, the last committed one winning', async () => {
      const deps = depsWith(hashingEmbedder());
      await Promise.all(Array.from({ length: 8 }, (_, i) => store(deps, 'race', `writer ${i}`)));
      const item = await deps.store.get(keys.memory(tenant, 'race'));
      expect(item?.version).toBe(8);
      expect(published.filter((e) => e.detail.created === true)).toHaveLength(1);
    });

    it('refuses bad input and writes nothing', async () => {
      const deps = depsWith(hashingEmbedder());
      await expect(store(deps, '', 'x')).rejects.toBeInstanceOf(ValidationError);
      await expect(store(deps, ' padded', 'x')).rejects.toThrow(/surrounding spaces/);
      await expect(store(deps, 'k', '   ')).rejects.toThrow(/content must be/);
      await expect(store(deps, 'k', 'x', { tags: ['no\nnewlines'] })).rejects.toThrow(/tag/);
      await expect(store(deps, 'k', 'x', { metadata: { blob: 'x'.repeat(9000) } })).rejects.toThrow(/8000 bytes/);
      await expect(getMemory(deps, tenant, 'k')).rejects.toBeInstanceOf(NotFoundError);
      expect(published).toEqual([]);
    });
  });

  describe('search', () => {
    it('ranks by meaning and words, filters by every tag given, honours limit and min_score', async () => {
      const deps = depsWith(hashingEmbedder());
      await store(deps, 'pm/checkout', 'Checkout outage: the orders database ran out of disk.', { tags: ['postmortem', 'checkout'] });
      await store(deps, 'pm/dns', 'DNS outage: the apex record was deleted.', { tags: ['postmortem', 'network'] });
      await store(deps, 'budget/q3', 'Cloud budget for Q3 is 180,000 USD.', { tags: ['budget'] });
      await store(deps, 'incident/INC-2041', 'INC-2041 opened: checkout errors above 30%.', { tags: ['incident', 'checkout'] });

      const all = await searchMemories(deps, { tenantId: tenant, query: 'database outage' });
      expect(all.mode).toBe('hybrid');
      expect(keysOf(all)[0]).toBe('pm/checkout');
      expect(all.results[0]).toMatchObject({ tags: ['postmortem', 'checkout'], author: 'cto', lexical_score: 1 });
      expect(all.results[0]?.semantic_score).toBeGreaterThan(0);
      const scores = all.results.map((r) => r.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);

      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'INC-2041' }))[0]).toBe('incident/INC-2041');
      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'outage', tags: ['postmortem'] })).sort()).toEqual(['pm/checkout', 'pm/dns']);
      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'outage', tags: ['POSTMORTEM', 'checkout'] }))).toEqual(['pm/checkout']);
      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'outage', tags: ['nothing-has-this'] }))).toEqual([]);
      expect((await searchMemories(deps, { tenantId: tenant, query: 'outage', limit: 1 })).results).toHaveLength(1);
      const strict = await searchMemories(deps, { tenantId: tenant, query: 'database outage', minScore: 0.5 });
      expect(strict.results.every((r) => r.score >= 0.5)).toBe(true);
      expect(strict.results.length).toBeLessThan(all.results.length);
      await expect(searchMemories(deps, { tenantId: tenant, query: '  ' })).rejects.toBeInstanceOf(ValidationError);
      await expect(searchMemories(deps, { tenantId: tenant, query: 'x', limit: 51 })).rejects.toBeInstanceOf(ValidationError);
    });

    it('never returns a forgotten memory; forgetting twice is not found; storing the key again starts afresh', async () => {
      const deps = depsWith(hashingEmbedder());
      await store(deps, 'draft/plan', 'A plan to migrate billing to Postgres.', { tags: ['draft'] });
      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'billing postgres plan' }))).toEqual(['draft/plan']);
      expect(await forgetMemory(deps, ctx, { tenantId: tenant, key: 'draft/plan', by: 'ceo' })).toEqual({ key: 'draft/plan', forgotten: true, version: 2 });
      expect(published.at(-1)).toMatchObject({ detailType: 'Memory.Forgotten.v1', detail: { key: 'draft/plan', author: 'ceo', tenant_id: tenant } });
      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'billing postgres plan' }))).toEqual([]);
      await expect(getMemory(deps, tenant, 'draft/plan')).rejects.toBeInstanceOf(NotFoundError);
      await expect(forgetMemory(deps, ctx, { tenantId: tenant, key: 'draft/plan', by: 'ceo' })).rejects.toBeInstanceOf(NotFoundError);
      expect((await listMemories(deps, { tenantId: tenant })).memories).toEqual([]);
      // The tombstone keeps nothing of the memory.
      const tombstone = await deps.store.get(keys.memory(tenant, 'draft/plan'));
      expect(tombstone).toMatchObject({ state: 'forgotten' });
      expect(tombstone?.content).toBeUndefined();
      expect(tombstone?.vector).toBeUndefined();

      const again = await store(deps, 'draft/plan', 'A new plan.');
      expect(again.created).toBe(true);
      expect(again.memory).toMatchObject({ tags: [], created_by: 'cto' });
    });

    it('keeps tenants apart: one tenant cannot read, search, list or forget another tenant\'s memories', async () => {
      const deps = depsWith(hashingEmbedder());
      const other = `${tenant}-other`;
      await store(deps, 'secret/acquisition', 'We plan to acquire Globex for 40M USD.', { tags: ['secret'] });
      expect(keysOf(await searchMemories(deps, { tenantId: other, query: 'acquire Globex' }))).toEqual([]);
      await expect(getMemory(deps, other, 'secret/acquisition')).rejects.toBeInstanceOf(NotFoundError);
      expect((await listMemories(deps, { tenantId: other, tag: 'secret' })).memories).toEqual([]);
      await expect(forgetMemory(deps, ctx, { tenantId: other, key: 'secret/acquisition', by: 'ceo' })).rejects.toBeInstanceOf(NotFoundError);
      await store(deps, 'secret/acquisition', 'Other tenant, same key.', { tenantId: other });
      expect((await getMemory(deps, tenant, 'secret/acquisition')).content).toBe('We plan to acquire Globex for 40M USD.');
      expect(keysOf(await searchMemories(deps, { tenantId: tenant, query: 'acquire Globex' }))).toEqual(['secret/acquisition']);
    });

    it('does not compare vectors of different models: after a model change they count as unembedded until re-embedded', async () => {
      const modelA = hashingEmbedder('test/model-a');
      await store(depsWith(modelA), 'm1', 'Postgres outage in the orders database');
      await store(depsWith(modelA), 'm2', 'Quarterly revenue grew by twelve percent');

      // Model B maps text to the very same vectors: a mix-up would give a non-null semantic score.
      const modelB = hashingEmbedder('test/model-b');
      const depsB = depsWith(modelB, dynamo.connect());
      const before = await searchMemories(depsB, { tenantId: tenant, query: 'Postgres outage' });
      expect(before.unembedded).toBe(2);
      expect(keysOf(before)).toEqual(['m1']);
      expect(before.results[0]?.semantic_score).toBeNull();
      expect((await getMemory(depsB, tenant, 'm1')).embedding).toBe('stale');

      expect(await reembedMemories(depsB, tenant)).toEqual({ scanned: 2, embedded: 2, current: 0, skipped: 0, reindexed: 2 });
      expect(await reembedMemories(depsB, tenant)).toEqual({ scanned: 2, embedded: 0, current: 2, skipped: 0, reindexed: 2 });
      const after = await searchMemories(depsB, { tenantId: tenant, query: 'Postgres outage' });
      expect(after.unembedded).toBe(0);
      expect(after.results[0]?.semantic_score).toBeGreaterThan(0.3);
      expect(await depsB.store.get(keys.memory(tenant, 'm1'))).toMatchObject({ vector_model: 'test/model-b', embedding: 'ready' });
    });
  });

  describe('when the embedder fails', () => {
    it('stores the memory as pending, finds it by its words, and embeds it once the embedder is back', async () => {
      const embedder = switchableEmbedder(hashingEmbedder());
      const deps = depsWith(embedder);
      await store(deps, 'ok/first', 'The billing ledger is append-only.');
      embedder.failing = true;
      const stored = await store(deps, 'pm/INC-2060', 'INC-2060: customers were charged twice after a Stripe timeout.', { tags: ['postmortem'] });
      expect(stored.memory.embedding).toBe('pending');
      expect(await deps.store.get(keys.memory(tenant, 'pm/INC-2060'))).toMatchObject({ embedding: 'pending' });
      expect((deps.log as ReturnType<typeof memoryLog>).lines.some((l) => l.level === 'warn' && /without a vector/.test(l.message))).toBe(true);

      // Query embedding fails too: lexical search, and it says so.
      const lexical = await searchMemories(deps, { tenantId: tenant, query: 'charged twice Stripe' });
      expect(lexical).toMatchObject({ mode: 'lexical', unembedded: 1 });
      expect(keysOf(lexical)).toEqual(['pm/INC-2060']);
      expect(lexical.results[0]?.semantic_score).toBeNull();
      await expect(embedPending(deps, tenant)).rejects.toThrow(/still unavailable/);
      expect(await deps.store.get(keys.memory(tenant, 'pm/INC-2060'))).toMatchObject({ embedding: 'pending' });

      // Back: the next search embeds pending memories along the way.
      embedder.failing = false;
      const hybrid = await searchMemories(deps, { tenantId: tenant, query: 'charged twice Stripe' });
      expect(hybrid).toMatchObject({ mode: 'hybrid', unembedded: 0 });
      expect(hybrid.results[0]).toMatchObject({ key: 'pm/INC-2060' });
      expect(hybrid.results[0]?.semantic_score).toBeGreaterThan(0);
      expect(await deps.store.get(keys.memory(tenant, 'pm/INC-2060'))).toMatchObject({ embedding: 'ready', vector_model: 'test/hashing-bag-of-words' });
      expect((await getMemory(deps, tenant, 'pm/INC-2060')).embedding).toBe('ready');
    });

    it('a store that embeds fine also embeds memories left pending', async () => {
      const embedder = switchableEmbedder(hashingEmbedder());
      const deps = depsWith(embedder);
      embedder.failing = true;
      await store(deps, 'pending/a', 'stored while Bedrock was throttling');
      await searchMemories(deps, { tenantId: tenant, query: 'throttling' });
      embedder.failing = false;
      await store(deps, 'fresh/b', 'stored once Bedrock answered again');
      expect(await deps.store.get(keys.memory(tenant, 'pending/a'))).toMatchObject({ embedding: 'ready' });
    });

    it('embedPending (the command path) embeds every pending memory and leaves nothing behind', async () => {
      const embedder = switchableEmbedder(hashingEmbedder());
      const deps = depsWith(embedder);
      embedder.failing = true;
      for (let i = 0; i < 20; i++) await store(deps, `pending/${i}`, `memory number ${i}`);
      embedder.failing = false;
      // Another process runs the command (its own index, loaded from the table).
      const command = depsWith(embedder, dynamo.connect());
      expect(await embedPending(command, tenant)).toEqual({ embedded: 20, skipped: 0, remaining: 0 });
      expect(await embedPending(command, tenant)).toEqual({ embedded: 0, skipped: 0, remaining: 0 });
      const { memories } = await listMemories(deps, { tenantId: tenant, limit: 100 });
      expect(memories.map((m) => m.embedding)).toEqual(Array(20).fill('ready'));
    });
  });

  describe('list_memories', () => {
    it('lists newest first by tag or author, a page at a time, with cursors tied to their filters', async () => {
      const deps = depsWith(hashingEmbedder());
      for (let i = 0; i < 5; i++) {
        now += 1000;
        await store(deps, `pm/${i}`, `postmortem ${i}`, { tags: ['postmortem'], author: i % 2 ? 'operations_head' : 'cto' });
      }
      now += 1000;
      await store(deps, 'other', 'not a postmortem', { author: 'operations_head' });

      const first = await listMemories(deps, { tenantId: tenant, tag: 'PostMortem', limit: 2 });
      expect(first.memories.map((m) => m.key)).toEqual(['pm/4', 'pm/3']);
      expect(first.memories[0]).toMatchObject({ preview: 'postmortem 4', tags: ['postmortem'], embedding: 'ready' });
      const second = await listMemories(deps, { tenantId: tenant, tag: 'postmortem', limit: 2, cursor: first.next_cursor as string });
      expect(second.memories.map((m) => m.key)).toEqual(['pm/2', 'pm/1']);
      const last = await listMemories(deps, { tenantId: tenant, tag: 'postmortem', limit: 2, cursor: second.next_cursor as string });
      expect(last).toMatchObject({ memories: [{ key: 'pm/0' }], next_cursor: null });

      expect((await listMemories(deps, { tenantId: tenant, author: 'operations_head' })).memories.map((m) => m.key)).toEqual(['other', 'pm/3', 'pm/1']);
      await expect(listMemories(deps, { tenantId: tenant, author: 'cto', cursor: first.next_cursor as string })).rejects.toThrow(/other filters/);
      await expect(listMemories(deps, { tenantId: tenant, cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('the shared indexes across processes', () => {
    it('sees writes made by another process and drops memories another process forgot', async () => {
      const embedder = hashingEmbedder();
      const a = depsWith(embedder, dynamo.connect());
      const b = depsWith(embedder, dynamo.connect());
      await store(a, 'x/1', 'Kafka carries order events.');
      expect(keysOf(await searchMemories(b, { tenantId: tenant, query: 'Kafka order events' }))).toEqual(['x/1']);

      await store(a, 'x/2', 'Kafka consumer lag alarm at ten minutes.');
      expect(keysOf(await searchMemories(b, { tenantId: tenant, query: 'Kafka consumer lag' }))[0]).toBe('x/2');
      await store(a, 'x/1', 'Kinesis carries order events now.');
      const updated = await searchMemories(b, { tenantId: tenant, query: 'order events' });
      expect(updated.results.find((r) => r.key === 'x/1')?.content).toBe('Kinesis carries order events now.');

      await forgetMemory(a, ctx, { tenantId: tenant, key: 'x/2', by: 'ceo' });
      expect(keysOf(await searchMemories(b, { tenantId: tenant, query: 'Kafka consumer lag' }))).not.toContain('x/2');
      expect((await listMemories(b, { tenantId: tenant })).memories.map((m) => m.key)).toEqual(['x/1']);
    });

    it('returns nothing forgotten even when its index has not caught up yet (results are re-read)', async () => {
      const embedder = hashingEmbedder();
      const a = depsWith(embedder);
      const b = depsWith(embedder, dynamo.connect());
      await store(a, 'gone', 'Launch codes for the payments beta.');
      expect(keysOf(await searchMemories(b, { tenantId: tenant, query: 'payments beta launch' }))).toEqual(['gone']);
      // Forget behind the revision counter's back, as if B read the counter just before the tombstone landed.
      const item = await a.store.get(keys.memory(tenant, 'gone'));
      await a.store.put({ pk: item!.pk, sk: item!.sk, key: 'gone', state: 'forgotten', version: 2, author: 'ceo', created_at: '', updated_at: '' });
      expect(keysOf(await searchMemories(b, { tenantId: tenant, query: 'payments beta launch' }))).toEqual([]);
    });

    it('reads a bounded number of items per search whatever the tenant size, and never lists the memory partition', async () => {
      const embedder = hashingEmbedder();
      const writer = depsWith(embedder);
      const costOf = async (size: number) => {
        const t = `${tenant}-${size}`;
        for (let i = 0; i < size; i++) await store(writer, `bulk/${i}`, `memory ${i} about carriers and ${['labels', 'rates', 'pickups'][i % 3]}`, { tenantId: t });
        const counting = countingStore(dynamo.connect());
        await searchMemories(depsWith(embedder, counting), { tenantId: t, query: 'carriers rates', limit: 3 });
        return counting;
      };
      const small = await costOf(10);
      const large = await costOf(60);
      // Re-reads are bounded by the candidates asked of the indexes (20 per half at limit 3), not by the tenant.
      expect(large.itemsRead - large.postingsRead).toBeLessThanOrEqual(2 * 20 + 2);
      expect(large.itemsRead - large.postingsRead).toBeLessThanOrEqual(small.itemsRead - small.postingsRead + 2 * 20);
      expect(large.queried.some((q) => q.pk.endsWith('#MEMORY') || q.pk.endsWith('#MEMCHANGES'))).toBe(false);
    });
  });
});

/** A store that counts the items its reads return (postings apart: the table lexical index reads a bounded number per query term) and the partitions it queries. */
function countingStore(inner: MemoryStore): MemoryStore & { itemsRead: number; postingsRead: number; queried: { pk: string }[] } {
  const counter = Object.create(inner) as MemoryStore & { itemsRead: number; postingsRead: number; queried: { pk: string }[] };
  counter.itemsRead = 0;
  counter.postingsRead = 0;
  counter.queried = [];
  counter.get = async (key) => {
    const item = await inner.get(key);
    if (item) counter.itemsRead++;
    return item;
  };
  counter.getMany = async (k) => {
    const items = await inner.getMany(k);
    counter.itemsRead += items.length;
    return items;
  };
  counter.query = async (q) => {
    const page = await inner.query(q);
    counter.itemsRead += page.items.length;
    counter.queried.push({ pk: q.pk });
    if (q.pk.includes('#LEX#')) counter.postingsRead += page.items.length;
    return page;
  };
  return counter;
}
