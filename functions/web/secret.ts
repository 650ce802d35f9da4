import { randomBytes } from 'node:crypto';
import { keys } from '../core/keys.js';
import { PreconditionFailedError } from '../core/errors.js';
import type { Store } from '../ports/store.js';

/**
 * The secret behind the human pages' CSRF tokens (./csrf.ts): 32 random
 * bytes created on first use and kept in the table, so every Lambda
 * instance and the local server agree on it. Created with a conditional put:
 * when two instances race, both end up with the winner's value. Cached per
 * process after the first read.
 */
export async function loadWebSecret(store: Store): Promise<Uint8Array> {
  const existing = await store.get(keys.webSecret);
  if (existing && existing.secret instanceof Uint8Array) return existing.secret;
  const secret = randomBytes(32);
  try {
    await store.put({ ...keys.webSecret, type: 'web-secret', secret: new Uint8Array(secret) }, { kind: 'absent' });
    return new Uint8Array(secret);
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const winner = await store.get(keys.webSecret);
    if (winner && winner.secret instanceof Uint8Array) return winner.secret;
    throw error;
  }
}

/** A loader that reads the secret once per process and then serves it from memory. */
export function cachedWebSecret(store: Store): () => Promise<Uint8Array> {
  let pending: Promise<Uint8Array> | undefined;
  return () => {
    pending ??= loadWebSecret(store).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
