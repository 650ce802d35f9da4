import { describe, expect, it } from 'vitest';
import { timeOrderedIds } from '../../functions/runtime/ids.js';

describe('timeOrderedIds', () => {
  it('makes 26-character lowercase Crockford ids that sort by creation time', () => {
    let now = Date.parse('2026-11-21T10:00:00Z');
    const ids = timeOrderedIds({ now: () => now });
    const made: string[] = [];
    for (let i = 0; i < 50; i++) {
      made.push(ids.next());
      now += 1;
    }
    for (const id of made) expect(id).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{26}$/);
    expect([...made].sort()).toEqual(made);
  });

  it('never repeats within one millisecond, across many refills of its random pool', () => {
    const ids = timeOrderedIds({ now: () => 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(ids.next());
    expect(seen.size).toBe(20_000);
    // The random part uses the whole alphabet (each byte maps to one of 32 characters).
    const tails = new Set([...seen].flatMap((id) => [...id.slice(10)]));
    expect(tails.size).toBe(32);
  });
});
