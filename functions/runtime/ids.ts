import { randomFillSync } from 'node:crypto';
import type { Clock, IdGenerator } from '../ports/clock.js';

export const systemClock: Clock = { now: () => Date.now() };

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Time-ordered ids (ULID-like, lowercase Crockford base32): 10 characters of
 * milliseconds then 16 random characters, so ids sort by creation time.
 */
export function timeOrderedIds(clock: Clock): IdGenerator {
  return {
    next: () => {
      let time = clock.now();
      let head = '';
      for (let i = 0; i < 10; i++) {
        head = ALPHABET[time % 32] + head;
        time = Math.floor(time / 32);
      }
      let tail = '';
      const at = take(16);
      for (let i = at; i < at + 16; i++) tail += ALPHABET[(pool[i] as number) % 32];
      return head + tail;
    },
  };
}

/** Random bytes drawn from a pool refilled 4 KiB at a time (as Node's own randomUUID does): one refill per 256 ids. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** Reserves `n` fresh bytes of the pool and returns where they start. */
function take(n: number): number {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += n;
  return used - n;
}
