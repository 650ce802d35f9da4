import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../functions/adapters/local/key-table.js';

describe('KeyTable (the local indexes\' string ↔ number table)', () => {
  const keys = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `mémoire/${i}/ü€😀` : `ticket/HAL-${i}`));

  it('numbers strings in the order first added, finds them after growing, and decodes them back', () => {
    const table = new KeyTable();
    keys.forEach((k, i) => expect(table.intern(k)).toBe(i));
    expect(table.size).toBe(keys.length);
    // Interning again returns the same number and adds nothing.
    expect(table.intern(keys[1234] as string)).toBe(1234);
    expect(table.size).toBe(keys.length);
    keys.forEach((k, i) => {
      expect(table.find(k)).toBe(i);
      expect(table.keyOf(i)).toBe(k);
    });
    expect(table.find('ticket/HAL-5000')).toBe(-1);
    expect(table.find('')).toBe(-1);
    expect(table.intern('')).toBe(keys.length);
    expect(table.keyOf(keys.length)).toBe('');
  });

  it('is rebuilt from its parts as it was, and keeps working after', () => {
    const table = new KeyTable();
    for (const k of keys) table.intern(k);
    const parts = table.parts();
    // As a snapshot would hold them: copies of the arrays.
    const copy = new KeyTable({ offsets: parts.offsets.slice(), bytes: parts.bytes.slice(), slots: parts.slots.slice() });
    expect(copy.size).toBe(keys.length);
    expect(copy.find(keys[4999] as string)).toBe(4999);
    expect(copy.intern('new/key')).toBe(keys.length);
    expect(copy.find('new/key')).toBe(keys.length);
    expect(copy.keyOf(7)).toBe(keys[7]);
    // The original is untouched by the copy's growth.
    expect(table.find('new/key')).toBe(-1);
  });
});
