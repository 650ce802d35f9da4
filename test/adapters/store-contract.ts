import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreconditionFailedError, ValidationError } from '../../functions/core/errors.js';
import type { Store } from '../../functions/ports/store.js';

/**
 * What every Store adapter must do, run against each: the DynamoDB adapter
 * on the local engine (test/adapters/dynamo-store.test.ts) and the in-memory
 * store the fast unit tests use (test/unit/memory-store.test.ts).
 */
export function storeContract(name: string, open: () => Promise<{ store: Store; close(): Promise<void> }>): void {
  describe(`the Store contract: ${name}`, () => {
    let store: Store;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(() => close());

    it('round-trips items with nested values and binary attributes', async () => {
      const vector = new Uint8Array([1, 2, 3, 250]);
      await store.put({ pk: 'P#1', sk: 'A', name: 'x', tags: ['a', 'b'], meta: { n: 1.5, ok: true, none: null }, vector });
      const item = await store.get({ pk: 'P#1', sk: 'A' });
      expect(item).toMatchObject({ name: 'x', tags: ['a', 'b'], meta: { n: 1.5, ok: true, none: null } });
      expect(Array.from(item?.vector as Uint8Array)).toEqual([1, 2, 3, 250]);
      expect(await store.get({ pk: 'P#1', sk: 'missing' })).toBeUndefined();
    });
  
    it('leaves undefined attributes out and refuses class instances instead of flattening them', async () => {
      await store.put({ pk: 'P#marshal', sk: 'A', kept: 'yes', dropped: undefined, nested: { inner: undefined, n: 2 } });
      const item = await store.get({ pk: 'P#marshal', sk: 'A' });
      expect(item).toEqual({ pk: 'P#marshal', sk: 'A', kept: 'yes', nested: { n: 2 } });
      class Point {
        constructor(readonly x: number) {}
      }
      await expect(store.put({ pk: 'P#marshal', sk: 'B', point: new Point(1) })).rejects.toThrow();
      expect(await store.get({ pk: 'P#marshal', sk: 'B' })).toBeUndefined();
    });
  
    it('keeps uniqueness under 20 concurrent writers of the same key: exactly one wins', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.put({ pk: 'UNIQ', sk: 'ONE', writer: i }, { kind: 'absent' })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    });
  
    it('keeps optimistic concurrency: read-modify-write with a version check loses no update', async () => {
      await store.put({ pk: 'CTR', sk: 'X', version: 0, seen: [] as number[] });
      const writer = async (id: number): Promise<number> => {
        for (let attempt = 1; ; attempt++) {
          const current = await store.get({ pk: 'CTR', sk: 'X' });
          const version = Number(current?.version);
          try {
            await store.put({ pk: 'CTR', sk: 'X', version: version + 1, seen: [...(current?.seen as number[]), id] }, { kind: 'version', version });
            return attempt;
          } catch (error) {
            if (!(error instanceof PreconditionFailedError)) throw error;
          }
        }
      };
      const attempts = await Promise.all(Array.from({ length: 15 }, (_, i) => writer(i)));
      const final = await store.get({ pk: 'CTR', sk: 'X' });
      expect(final?.version).toBe(15);
      expect([...(final?.seen as number[])].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
      expect(attempts.some((a) => a > 1)).toBe(true);
    });
  
    it('increments atomically and never passes a ceiling under concurrency', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, () => store.increment({ key: { pk: 'BUDGET', sk: 'Q1' }, add: { spent: 10 }, ceilings: { spent: 200 } })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      expect((await store.get({ pk: 'BUDGET', sk: 'Q1' }))?.spent).toBe(200);
      await expect(store.increment({ key: { pk: 'BUDGET', sk: 'Q2' }, add: { spent: 300 }, ceilings: { spent: 200 } })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
    });
  
    it('checks equals preconditions on delete and put', async () => {
      await store.put({ pk: 'EQ', sk: '1', status: 'pending' });
      await expect(store.put({ pk: 'EQ', sk: '1', status: 'approved' }, { kind: 'equals', attributes: { status: 'closed' } })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      await store.put({ pk: 'EQ', sk: '1', status: 'approved' }, { kind: 'equals', attributes: { status: 'pending' } });
      await expect(store.delete({ pk: 'EQ', sk: '1' }, { kind: 'equals', attributes: { status: 'pending' } })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      await store.delete({ pk: 'EQ', sk: '1' }, { kind: 'present' });
      expect(await store.get({ pk: 'EQ', sk: '1' })).toBeUndefined();
    });
  
    it('pages through a collection in order, both directions, and through the index', async () => {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.put({ pk: 'PAGE', sk: `S#${String(i).padStart(3, '0')}`, gsi1pk: 'IDX', gsi1sk: `G#${String(24 - i).padStart(3, '0')}`, i }),
        ),
      );
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query({ pk: 'PAGE', skPrefix: 'S#', limit: 10, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((item) => Number(item.i)));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
      const newest = await store.query({ pk: 'PAGE', descending: true, limit: 3 });
      expect(newest.items.map((item) => item.i)).toEqual([24, 23, 22]);
      const between = await store.query({ pk: 'PAGE', skBetween: ['S#005', 'S#007'] });
      expect(between.items.map((item) => item.i)).toEqual([5, 6, 7]);
      const viaIndex = await store.query({ index: 'gsi1', pk: 'IDX', limit: 2 });
      expect(viaIndex.items.map((item) => item.i)).toEqual([24, 23]);
    });
  
    it('refuses a cursor issued for another partition', async () => {
      const page = await store.query({ pk: 'PAGE', limit: 1 });
      expect(page.cursor).toBeDefined();
      await expect(store.query({ pk: 'OTHER', cursor: page.cursor as string })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.query({ pk: 'PAGE', cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    });
  
    it('writes many items in one call and refuses more than 25', async () => {
      await store.putMany(Array.from({ length: 25 }, (_, i) => ({ pk: 'MANY', sk: String(i).padStart(2, '0'), i })));
      const page = await store.query({ pk: 'MANY' });
      expect(page.items.map((item) => item.i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      await expect(store.putMany(Array.from({ length: 26 }, (_, i) => ({ pk: 'MANY', sk: `x${i}` })))).rejects.toBeInstanceOf(ValidationError);
      expect((await store.query({ pk: 'MANY' })).items).toHaveLength(25);
    });
  
    it('reads many items at once, omitting missing ones', async () => {
      const items = await store.getMany([
        { pk: 'PAGE', sk: 'S#001' },
        { pk: 'PAGE', sk: 'S#002' },
        { pk: 'PAGE', sk: 'nope' },
      ]);
      expect(items.map((item) => item.i).sort()).toEqual([1, 2]);
    });
  });
}
