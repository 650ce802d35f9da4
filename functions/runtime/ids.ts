import { randomBytes } from 'node:crypto';
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
      const tail = Array.from(randomBytes(16), (b) => ALPHABET[b % 32]).join('');
      return head + tail;
    },
  };
}
