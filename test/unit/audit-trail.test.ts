import { describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/core/context.js';
import { AuditTrail } from '../../functions/mcp/audit-trail.js';
import type { Item } from '../../functions/ports/store.js';
import { memoryLog } from '../helpers/conclave.js';

function depsWith(put: (item: Item) => Promise<void>, log = memoryLog()): Deps {
  return {
    store: { put } as unknown as Deps['store'],
    bus: { publish: async () => undefined },
    clock: { now: () => Date.parse('2026-11-21T12:00:00Z') },
    ids: { next: () => 'id' },
    log,
    settings: { staleAfterMs: 1000 },
  };
}

const entry = { tenantId: 't', keyId: 'k', role: 'ceo' as const, action: 'tool:x', outcome: 'ok' as const, durationMs: 1, correlationId: 'c' };

describe('AuditTrail', () => {
  it('flush waits for every write in flight', async () => {
    const written: Item[] = [];
    const trail = new AuditTrail(depsWith(async (item) => {
      await new Promise((r) => setTimeout(r, 20));
      written.push(item);
    }));
    trail.record(entry);
    trail.record({ ...entry, action: 'tool:y' });
    expect(written).toHaveLength(0);
    await trail.flush();
    expect(written.map((i) => i.action)).toEqual(['tool:x', 'tool:y']);
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
