import { createHash } from 'node:crypto';
import type { Principal } from '../core/principal.js';

/**
 * A short-lived, bounded cache of authenticated principals, keyed by the
 * SHA-256 of the presented key (the key itself is never held). It saves one
 * store read per request for clients that call in bursts; the price is that a
 * revoked key keeps working for at most `ttlMs` on a warm instance. Only
 * successful authentications are cached.
 */
export class AuthCache {
  private readonly entries = new Map<string, { principal: Principal; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 1000,
  ) {}

  async resolve(presented: string | undefined, authenticate: (key: string | undefined) => Promise<Principal>): Promise<Principal> {
    if (this.ttlMs <= 0 || !presented) return authenticate(presented);
    const id = createHash('sha256').update(presented).digest('hex');
    const hit = this.entries.get(id);
    if (hit && hit.expires > this.now()) return hit.principal;
    this.entries.delete(id);
    const principal = await authenticate(presented);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { principal, expires: this.now() + this.ttlMs });
    return principal;
  }
}
