import { describe, expect, it } from 'vitest';
import { stem, tokenize } from '../../functions/core/memory/lexical.js';
import { cosine, decodeVector, encodeVector } from '../../functions/core/memory/vectors.js';
import { hashVector } from '../helpers/embedders.js';

function randomUnit(seed: number, dims = 512): Float32Array {
  let s = seed;
  const v = new Float32Array(dims).map(() => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  });
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const exactCosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe('vector encoding (int8 with a float32 scale)', () => {
  it('stores 512 dimensions in 516 bytes and decodes what it encoded', () => {
    const v = randomUnit(7);
    const bytes = encodeVector(v);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.byteLength).toBe(516);
    const decoded = decodeVector(bytes, 512);
    expect(decoded?.values).toHaveLength(512);
    const restored = Array.from(decoded?.values ?? [], (q) => q * (decoded?.scale ?? 0));
    restored.forEach((x, i) => expect(Math.abs(x - (v[i] as number))).toBeLessThanOrEqual((decoded?.scale ?? 0) / 2 + 1e-7));
  });

  it('keeps cosines within 0.01 of the float32 value', () => {
    let worst = 0;
    for (let i = 1; i <= 50; i++) {
      const a = randomUnit(i);
      const b = i % 2 ? randomUnit(i + 1000) : hashVector(`text number ${i}`);
      worst = Math.max(worst, Math.abs(cosine(a, decodeVector(encodeVector(b), 512)!) - exactCosine(a, b)));
    }
    expect(worst).toBeLessThan(0.01);
  });

  it('refuses bytes of another dimension (a vector of another model shape is never compared)', () => {
    expect(decodeVector(encodeVector(randomUnit(3, 256)), 512)).toBeUndefined();
    expect(decodeVector(new Uint8Array(0), 512)).toBeUndefined();
  });

  it('decodes from a view into a larger buffer (as the DynamoDB client may return it)', () => {
    const bytes = encodeVector(randomUnit(9));
    const padded = new Uint8Array(bytes.byteLength + 8);
    padded.set(bytes, 8);
    const view = padded.subarray(8);
    expect(decodeVector(view, 512)?.values).toEqual(decodeVector(bytes, 512)?.values);
  });
});

describe('lexical tokens', () => {
  it('keeps ids, versions and keys whole as well as in parts', () => {
    expect(tokenize('Postmortem INC-2041: v2.3.1 broke')).toEqual(expect.arrayContaining(['inc-2041', 'inc', '2041', 'v2.3.1', 'postmortem', stem('broke')]));
    expect(tokenize('decision/DEC-101-adopt-postgres-17')).toContain('decision/dec-101-adopt-postgres-17');
  });

  it('drops stop words and meets inflections', () => {
    expect(tokenize('what is the plan for the outages')).toEqual(['plan', 'outag']);
    expect(new Set(['hire', 'hired', 'hiring', 'hires'].map(stem))).toEqual(new Set(['hir']));
    expect(stem('cancelled')).toBe(stem('cancel'));
    expect(stem('databases')).toBe(stem('database'));
    expect(stem('2041')).toBe('2041');
  });
});
