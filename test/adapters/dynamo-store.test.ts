import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../functions/adapters/aws/dynamo-store.js';
import { engineLevel, ensureTable, startDynalite, type LocalDynamo } from '../../functions/adapters/local/dynalite.js';
import { PreconditionFailedError } from '../../functions/core/errors.js';
import { storeContract } from './store-contract.js';

describe('DynamoStore against dynalite', () => {
  let dynamo: LocalDynamo;
  let store: DynamoStore;

  beforeAll(async () => {
    dynamo = await startDynalite();
    await ensureTable(dynamo.client, 'store-test');
    store = new DynamoStore(dynamo.client, 'store-test');
  });
  afterAll(async () => {
    dynamo.client.destroy();
    await dynamo.close();
  });


  it('resolves the middleware once per command type and still sends each request its own input', async () => {
    expect(dynamo.client.config.cacheMiddleware).toBe(true);
    // Concurrent requests of one command type through the cached handler: none sees another's key or values.
    const keys = Array.from({ length: 12 }, (_, i) => `C#${i}`);
    await Promise.all(keys.map((pk, i) => store.put({ pk, sk: 'A', n: i })));
    const read = await Promise.all(keys.map((pk) => store.get({ pk, sk: 'A' })));
    expect(read.map((item) => item?.n)).toEqual(keys.map((_, i) => i));
    const pages = await Promise.all(keys.map((pk) => store.query({ pk })));
    expect(pages.map((page) => page.items.map((item) => item.pk))).toEqual(keys.map((pk) => [pk]));
  });

  it('closes the engine iterator behind every query (dynalite 4 left them open: a leak per query)', async () => {
    const level = engineLevel() as { AbstractValueIterator: { prototype: { close(): Promise<void> } } };
    const prototype = level.AbstractValueIterator.prototype;
    const close = prototype.close;
    let closed = 0;
    prototype.close = function (this: unknown) {
      closed++;
      return close.call(this);
    };
    try {
      await store.put({ pk: 'P#iter', sk: 'A', n: 1 });
      for (let i = 0; i < 20; i++) await store.query({ pk: 'P#iter', skPrefix: 'A', limit: 5 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBeGreaterThanOrEqual(20);
    } finally {
      prototype.close = close;
    }
  });


  it('serves two clients of the same engine alike (each with its own SDK state)', async () => {
    const overLoopback = new DynamoStore(dynamo.connect(), 'store-test');
    await store.put({ pk: 'P#shared', sk: 'A', written: 'in process', body: 'é—✓'.repeat(100) });
    expect(await overLoopback.get({ pk: 'P#shared', sk: 'A' })).toMatchObject({ written: 'in process', body: 'é—✓'.repeat(100) });
    await overLoopback.put({ pk: 'P#shared', sk: 'B', written: 'over loopback' });
    expect((await store.query({ pk: 'P#shared' })).items.map((i) => i.written)).toEqual(['in process', 'over loopback']);
    // The engine's errors reach the in-process client as they would over HTTP.
    await expect(store.put({ pk: 'P#shared', sk: 'A' }, { kind: 'absent' })).rejects.toBeInstanceOf(PreconditionFailedError);
  });









});

storeContract('DynamoStore on the local engine', async () => {
  const engine = await startDynalite();
  await ensureTable(engine.client, 'contract-test');
  return {
    store: new DynamoStore(engine.client, 'contract-test'),
    close: async () => {
      engine.client.destroy();
      await engine.close();
    },
  };
});
