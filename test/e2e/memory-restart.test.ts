import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reembedMemories } from '../../functions/core/memory/reembed-memories.js';
import { searchMemories } from '../../functions/core/memory/search-memories.js';
import { storeMemory } from '../../functions/core/memory/store-memory.js';
import type { Store } from '../../functions/ports/store.js';
import { dataFiles, startLocal } from '../../functions/runtime/local.js';
import { memoryLog } from '../helpers/conclave.js';
import { hashingEmbedder } from '../helpers/embedders.js';

const ctx = { correlationId: 'restart-test' };

describe('local memory index across restarts', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'conclave-restart-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = (embedder = hashingEmbedder()) => startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 60_000, log: memoryLog(), embedder });

  it('serves searches after a restart without re-embedding or reading the memory partition, and reembed rebuilds a lost index', { timeout: 60_000 }, async () => {
    const first = await start();
    for (let i = 0; i < 30; i++) {
      await storeMemory(first.deps, ctx, { tenantId: 'acme', key: `note/${i}`, content: `note ${i} about ${i % 2 ? 'kafka consumer lag' : 'postgres vacuum'}`, author: 'cto' });
    }
    await storeMemory(first.deps, ctx, { tenantId: 'acme', key: 'incident/INC-7001', content: 'INC-7001: checkout failed for ten minutes.', author: 'operations_head' });
    await first.close();

    const embedder = hashingEmbedder();
    const second = await start(embedder);
    const queried: string[] = [];
    const store = second.deps.store;
    const watching: Store = { ...store, get: (k) => store.get(k), getMany: (k) => store.getMany(k), put: (i, p) => store.put(i, p), putMany: (i) => store.putMany(i), increment: (i) => store.increment(i), delete: (k, p) => store.delete(k, p), query: (q) => (queried.push(q.pk), store.query(q)) };
    const deps = { ...second.deps, store: watching };
    const found = await searchMemories(deps, { tenantId: 'acme', query: 'kafka consumer lag', limit: 3 });
    expect(found.results.map((r) => r.key).every((k) => Number(k.split('/')[1]) % 2 === 1)).toBe(true);
    expect(found.results[0]?.semantic_score).toBeGreaterThan(0.3);
    expect((await searchMemories(deps, { tenantId: 'acme', query: 'INC-7001' })).results[0]?.key).toBe('incident/INC-7001');
    // Only the query was embedded; the memory partition was never listed.
    expect(embedder.calls.flat()).toEqual(['kafka consumer lag', 'INC-7001']);
    expect(queried.filter((pk) => pk.endsWith('#MEMORY'))).toEqual([]);
    await second.close();

    // The index files lost: the table is the truth, reembed rebuilds the index from it.
    await rm(dataFiles.memoryIndex(dataDir), { recursive: true, force: true });
    const third = await start();
    expect((await searchMemories(third.deps, { tenantId: 'acme', query: 'INC-7001' })).results).toEqual([]);
    expect(await reembedMemories(third.deps, 'acme')).toMatchObject({ scanned: 31, embedded: 0, current: 31, reindexed: 31 });
    expect((await searchMemories(third.deps, { tenantId: 'acme', query: 'INC-7001' })).results[0]?.key).toBe('incident/INC-7001');
    await third.close();
  });
});
