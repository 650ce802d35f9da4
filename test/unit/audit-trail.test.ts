import { describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/core/context.js';
import { AuditTrail } from '../../functions/mcp/audit-trail.js';
import type { Item } from '../../functions/ports/store.js';
import { memoryLog } from '../helpers/conclave.js';
import { unusedWorkflows } from '../helpers/workflows.js';
import { HnswVectorIndex } from '../../functions/adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../../functions/adapters/local/local-lexical-index.js';

function depsWith(putMany: (items: readonly Item[]) => Promise<void>, log = memoryLog()): Deps {
  return {
    store: { putMany, put: (item: Item) => putMany([item]) } as unknown as Deps['store'],
    bus: { publish: async () => undefined },
    clock: { now: () => Date.parse('2026-11-21T12:00:00Z') },
    ids: { next: () => 'id' },
    log,
    embedder: { modelId: 'unused', dimensions: 512, embed: async () => [] },
    vectors: new HnswVectorIndex(),
    lexicon: new LocalLexicalIndex(),
    workflows: unusedWorkflows,
    settings: { staleAfterMs: 1000 },
  };
}

const entry = { tenantId: 't', keyId: 'k', role: 'ceo' as const, action: 'tool:x', outcome: 'ok' as const, durationMs: 1, correlationId: 'c' };

describe('AuditTrail', () => {
  it('batches entries recorded close together and flush waits for every write', async () => {
    const batches: Item[][] = [];
    const trail = new AuditTrail(depsWith(async (items) => {
      await new Promise((r) => setTimeout(r, 20));
      batches.push([...items]);
    }));
    trail.record(entry);
    trail.record({ ...entry, action: 'tool:y' });
    expect(batches).toHaveLength(0);
    await trail.flush();
    expect(batches.map((b) => b.map((i) => i.action))).toEqual([['tool:x', 'tool:y']]);
  });

  it('writes on its own after a short window, in batches of at most 25', async () => {
    const batches: Item[][] = [];
    const trail = new AuditTrail(depsWith(async (items) => void batches.push([...items])));
    for (let i = 0; i < 30; i++) trail.record({ ...entry, action: `tool:${i}` });
    await new Promise((r) => setTimeout(r, 50));
    expect(batches.map((b) => b.length)).toEqual([25, 5]);
    await trail.flush();
    expect(batches).toHaveLength(2);
  });

  it('retries a failed write once and logs the entry when it still fails, without rejecting', async () => {
    const log = memoryLog();
    let attempts = 0;
    const trail = new AuditTrail(depsWith(async () => {
      attempts++;
      throw new Error('throttled');
    }, log));
    trail.record(entry);
    await expect(trail.flush()).resolves.toBeUndefined();
    expect(attempts).toBe(2);
    expect(log.lines.find((l) => l.level === 'error')?.fields?.audit).toMatchObject({ action: 'tool:x', tenantId: 't' });
  });
});
