import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** What a unit test may not use: the local engine, the local server, sockets (the fast loop runs with none of them). */
const FORBIDDEN = [/adapters\/local\/dynalite/, /runtime\/local(\.js)?'/, /from 'node:(http|https|net|dgram)'/];

describe('the fast loop (npm run test:unit)', () => {
  it('has no unit test that starts the engine, a server or a socket', () => {
    const dir = new URL('./', import.meta.url);
    const offenders = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => {
        const text = readFileSync(new URL(name, dir), 'utf8');
        return FORBIDDEN.filter((pattern) => pattern.test(text)).map((pattern) => `${name}: ${pattern.source}`);
      });
    // Use MemoryStore (functions/adapters/local/memory-store.ts) here; tests of the engine itself belong in test/adapters.
    expect(offenders).toEqual([]);
  });
});
