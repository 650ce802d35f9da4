/** One token, in the bucket's integer units: a minute's worth of milliseconds, so refills are exact. */
const TOKEN = 60_000;

/**
 * A token bucket: holds up to `capacity` tokens, refilled continuously at
 * `perMinute / 60` tokens a second; each admitted request takes one. It
 * bounds how fast one instance admits a key's or tenant's requests and how
 * many it admits at once (the burst). Counted in integers (elapsed ms ×
 * per-minute rate), so no rounding drift over a long run.
 */
export class TokenBucket {
  private units: number;
  private updated: number;

  constructor(
    private capacity: number,
    private perMinute: number,
    now: number,
  ) {
    this.units = capacity * TOKEN;
    this.updated = now;
  }

  /** Adopts new limits (the tenant's overrides changed) without refilling. */
  reshape(capacity: number, perMinute: number): void {
    this.capacity = capacity;
    this.perMinute = perMinute;
    this.units = Math.min(this.units, capacity * TOKEN);
  }

  /** Takes a token if one is there; otherwise says how many ms until one is. */
  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    this.refill(now);
    if (this.units >= TOKEN) {
      this.units -= TOKEN;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil((TOKEN - this.units) / this.perMinute) };
  }

  /** True once the bucket is full again (it can be forgotten without changing behaviour). */
  full(now: number): boolean {
    this.refill(now);
    return this.units >= this.capacity * TOKEN;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updated);
    this.units = Math.min(this.capacity * TOKEN, this.units + elapsed * this.perMinute);
    this.updated = now;
  }
}
