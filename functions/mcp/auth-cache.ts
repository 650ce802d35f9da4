import { createHash } from 'node:crypto';
import type { Principal } from '../core/principal.js';

/**
 * A short-lived, bounded cache of authenticated principals, keyed by the
 * SHA-256 of the presented key (the key itself is never held). It saves one
 * store read per request for clients that call in bursts; the price is that a
 * revoked key keeps working for at most `ttlMs` on a warm instance. Only
 * successful authentications are cached.
 *
 * Concurrent misses for one credential share a single verification: when an
 * entry expires under load, the requests arriving meanwhile wait for the one
 * store read in flight instead of each reading the store (for an OAuth token
 * that read is a three-item BatchGet, so a stampede cost tokens more than
 * keys). A failure is shared only by the requests that were waiting for it.
 */
export class AuthCache {
  private readonly entries = new Map<string, { principal: Principal; expires: number }>();
  private readonly inflight = new Map<string, Promise<Principal>>();

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
    const pending = this.inflight.get(id);
    if (pending) return pending;
    const verification = authenticate(presented)
      .then((principal) => {
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(id, { principal, expires: this.now() + this.ttlMs });
        return principal;
      })
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, verification);
    return verification;
  }
}
