import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreAccessError, restrictStore } from '../../functions/adapters/local/store-access.js';
import { CONSUMERS } from '../../functions/contracts/rules.js';
import { CONSUMER_STORE_ACCESS, STORE_OPERATIONS } from '../../functions/contracts/table-access.js';
import type * as TableAccess from '../../functions/contracts/table-access.js';
import type { Store } from '../../functions/ports/store.js';
import { MemoryMetrics } from '../../functions/adapters/local/memory-metrics.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { memoryLog, RoleClients } from '../helpers/conclave.js';

// The inbox-fanout consumer loses its grant to write: the local runtime must refuse its puts as IAM would.
vi.mock('../../functions/contracts/table-access.js', async (original) => {
  const actual = await original<typeof TableAccess>();
  return { ...actual, CONSUMER_STORE_ACCESS: { ...actual.CONSUMER_STORE_ACCESS, 'inbox-fanout': ['get'] } };
});

describe('restrictStore (the local stand-in for per-function table grants)', () => {
  const calls: string[] = [];
  const store = Object.fromEntries(STORE_OPERATIONS.map((op) => [op, async () => void calls.push(op)])) as unknown as Store;

  it('serves the allowed operations and refuses the others naming the operation and the DynamoDB action', async () => {
    const restricted = restrictStore(store, ['put', 'get'], 'the test consumer');
    await restricted.put({ pk: 'p', sk: 's' });
    await restricted.get({ pk: 'p', sk: 's' });
    expect(calls).toEqual(['put', 'get']);
    const refused = await restricted.delete({ pk: 'p', sk: 's' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreAccessError);
    expect((refused as Error).name).toBe('StoreAccessError');
    expect((refused as Error).message).toMatch(/^the test consumer may not delete \(dynamodb:DeleteItem\)/);
    await expect(restricted.query({ pk: 'p' })).rejects.toThrow(/dynamodb:Query/);
    expect(calls).toEqual(['put', 'get']);
  });

  it('has an access list for every consumer', () => {
    expect(Object.keys(CONSUMER_STORE_ACCESS).sort()).toEqual([...CONSUMERS].sort());
  });
});

describe('the local runtime runs each consumer with its table access only, and counts tool calls', () => {
  let conclave: LocalConclave;
  let roles: RoleClients;
  const metrics = new MemoryMetrics();

  beforeAll(async () => {
    conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log: memoryLog(), metrics });
    roles = await RoleClients.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles.close();
    await conclave.close();
  });

  it('dead-letters a delivery whose consumer uses an operation outside its grant', { timeout: 30_000 }, async () => {
    const sent = await roles.call('cto', 'send_message', { to: 'ceo', subject: 'Budget', content: 'Numbers attached.' });
    expect(sent.isError).toBeFalsy();
    await conclave.bus.drain();
    const letters = conclave.bus.deadLetters.filter((l) => l.rule === 'InboxFanout');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.error).toMatch(/^StoreAccessError: the inbox-fanout consumer may not put \(dynamodb:PutItem\)/);
  });

  it('records each tool call with tool and role dimensions, the tenant and correlation id as context', async () => {
    const before = metrics.records.length;
    await roles.call('ceo', 'list_agents', {});
    await roles.call('ceo', 'get_decision', { decision_id: 'no-such-decision' });
    const [ok, failed] = metrics.records.slice(before);
    for (const record of [ok, failed]) {
      expect(record?.dimensionSets).toEqual([[], ['tool'], ['role']]);
      expect(record?.context.tenant_id).toBe('acme');
      expect(String(record?.context.correlation_id)).toMatch(/.+/);
      expect(record?.values.map((v) => [v.name, v.unit])).toEqual([
        ['ToolCalls', 'Count'],
        ['ToolErrors', 'Count'],
        ['ToolLatency', 'Milliseconds'],
      ]);
      expect(record?.values[2]?.value).toBeGreaterThanOrEqual(0);
    }
    expect(ok?.dimensions).toEqual({ tool: 'list_agents', role: 'ceo' });
    expect(ok?.values[1]?.value).toBe(0);
    expect(failed?.dimensions).toEqual({ tool: 'get_decision', role: 'ceo' });
    expect(failed?.values[1]?.value).toBe(1);
    expect(failed?.context.error_code).toBe('not_found');
  });
});
