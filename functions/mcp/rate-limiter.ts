import { RATE_LIMIT_WIRE, type RateLimitName, type RateLimits } from '../contracts/rate-limits.js';
import type { Deps } from '../core/context.js';
import { readTenantLimits } from '../core/limits/tenant-limits.js';
import { addUsage, notifyDailyCeiling, type UsageWindow } from '../core/limits/usage.js';
import type { Principal } from '../core/principal.js';
import { TokenBucket } from './token-bucket.js';

/** A request refused by a limit: which one, its value, and when to come back. */
export interface Refusal {
  readonly limit: RateLimitName;
  readonly value: number;
  /** When the limit admits this caller again (ms since the epoch). */
  readonly resetsAt: number;
  /** Whole seconds to wait (the Retry-After header); at least 1. */
  readonly retryAfterSeconds: number;
  /** Whether this is the first refusal of its scope and window on this instance (it is audited once). */
  readonly firstInWindow: boolean;
}

export interface RateLimiterOptions {
  /** The deployment's limits; each tenant's board may override them. */
  readonly defaults: RateLimits;
  /** How long a tenant's limits are used before they are read again. @default 60_000 */
  readonly limitsCacheMs?: number;
}

/** One scope's counter for the current window: what the table last said, what is being written, what is waiting. */
interface Counter {
  readonly window: UsageWindow;
  readonly limit: RateLimitName;
  value: number;
  known: number;
  inflight: number;
  pending: number;
  refused: boolean;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_TENANTS = 1000;
const MAX_BUCKETS = 20_000;

/**
 * The front door's limits, correct across many instances (README "Rate limits").
 *
 * Each instance paces every key and tenant with an in-process token bucket
 * (capacity `burst`, refilled at the per-minute rate) and counts their
 * requests per minute (and a tenant's tool calls per UTC day) in shared
 * counters in the table: one atomic ADD per scope, written off the response
 * path (`flush`, right after the response locally and before the Lambda
 * invocation ends in AWS). An instance refuses once its own estimate (the
 * table's last total plus what it admitted since) reaches a limit, and
 * refuses for the rest of the window once the table's total passes it. So a
 * lone instance is exact, and with N instances a window can go over by at
 * most what the other instances admitted since this one's last write: never
 * more than `burst` each, since their buckets pace them.
 */
export class RateLimiter {
  private readonly tenants = new Map<string, { limits: RateLimits; until: number; refreshing?: Promise<void> }>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly counters = new Map<string, Counter>();
  private readonly notifying = new Set<string>();
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly deps: Deps,
    private readonly options: RateLimiterOptions,
  ) {}

  /** Admits one request of `principal` under the per-minute limits, or says which refuses it. */
  async admit(principal: Principal): Promise<Refusal | undefined> {
    const limits = await this.limitsOf(principal.tenantId);
    const now = this.deps.clock.now();
    const window = `m${Math.floor(now / MINUTE)}`;
    const endsAt = (Math.floor(now / MINUTE) + 1) * MINUTE;
    const keyScope = `key#${principal.keyId}`;
    const key = this.counter(principal.tenantId, keyScope, window, endsAt, 'keyPerMinute', limits.keyPerMinute);
    const tenant = this.counter(principal.tenantId, 'tenant', window, endsAt, 'tenantPerMinute', limits.tenantPerMinute);
    const refusal =
      this.overCount(key, now) ??
      this.overCount(tenant, now) ??
      this.paced(`k:${principal.keyId}`, key, Math.min(limits.burst, limits.keyPerMinute), now) ??
      this.paced(`t:${principal.tenantId}`, tenant, Math.min(limits.burst, limits.tenantPerMinute), now);
    if (refusal) return refusal;
    key.pending++;
    tenant.pending++;
    this.schedule();
    return undefined;
  }

  /** Admits one tool call of `principal`'s tenant under its daily ceiling. */
  async admitToolCall(principal: Principal): Promise<Refusal | undefined> {
    const limits = await this.limitsOf(principal.tenantId);
    const now = this.deps.clock.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const endsAt = (Math.floor(now / DAY) + 1) * DAY;
    const counter = this.counter(principal.tenantId, 'day', `d${day}`, endsAt, 'dailyToolCalls', limits.dailyToolCalls);
    const refusal = this.overCount(counter, now);
    if (refusal) return refusal;
    counter.pending++;
    this.schedule();
    return undefined;
  }

  /** Writes the counts admitted so far and waits for every write (and ceiling notice) in flight. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.counters.values()].filter((c) => c.pending > 0);
    for (const counter of batch) {
      counter.inflight += counter.pending;
      counter.pending = 0;
    }
    const previous = this.writing;
    this.writing = previous.then(() => this.write(batch));
    return this.writing;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Off the response path: after the current request's work, coalescing its neighbours'.
    setImmediate(() => void this.flush());
  }

  private async write(batch: readonly Counter[]): Promise<void> {
    const now = this.deps.clock.now();
    await Promise.all(
      batch.map(async (counter) => {
        const sent = counter.inflight;
        try {
          const total = await addUsage(this.deps, counter.window, sent);
          counter.known = Math.max(counter.known, total);
          if (counter.limit === 'dailyToolCalls' && total >= counter.value && total - sent < counter.value) {
            await this.notifyCeiling(counter, now);
          }
        } catch (error) {
          // Counting is best effort: a failed write keeps the count local, and the bucket still paces.
          counter.known += sent;
          this.deps.log.warn('rate counter write failed', { scope: counter.window.scope, error: String(error) });
        } finally {
          counter.inflight -= sent;
        }
      }),
    );
    for (const [id, counter] of this.counters) {
      if (counter.window.endsAt <= now && counter.pending === 0 && counter.inflight === 0) this.counters.delete(id);
    }
    if (this.buckets.size > MAX_BUCKETS) for (const [id, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(id);
  }

  private async notifyCeiling(counter: Counter, now: number): Promise<void> {
    const id = `${counter.window.tenantId}|${counter.window.window}`;
    if (this.notifying.has(id)) return;
    this.notifying.add(id);
    try {
      await notifyDailyCeiling(this.deps, {
        tenantId: counter.window.tenantId,
        day: counter.window.window.slice(1),
        ceiling: counter.value,
        resetsAt: counter.window.endsAt,
        correlationId: `daily-ceiling-${counter.window.window}`,
        now,
      });
    } catch (error) {
      // Delivery is idempotent on the day: the next crossing instance (or the next write) tries again.
      this.notifying.delete(id);
      this.deps.log.error('daily ceiling notice failed', { tenant_id: counter.window.tenantId, error: String(error) });
    }
  }

  private counter(tenantId: string, scope: string, window: string, endsAt: number, limit: RateLimitName, value: number): Counter {
    const id = `${tenantId}|${scope}|${window}`;
    let counter = this.counters.get(id);
    if (!counter) {
      counter = { window: { tenantId, scope, window, endsAt }, limit, value, known: 0, inflight: 0, pending: 0, refused: false };
      this.counters.set(id, counter);
    }
    counter.value = value;
    return counter;
  }

  private overCount(counter: Counter, now: number): Refusal | undefined {
    if (counter.known + counter.inflight + counter.pending < counter.value) return undefined;
    const firstInWindow = !counter.refused;
    counter.refused = true;
    return refusal(counter.limit, counter.value, counter.window.endsAt, now, firstInWindow);
  }

  private paced(id: string, counter: Counter, capacity: number, now: number): Refusal | undefined {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(capacity, counter.value, now);
      this.buckets.set(id, bucket);
    } else bucket.reshape(capacity, counter.value);
    const taken = bucket.take(now);
    if (taken.ok) return undefined;
    const firstInWindow = !counter.refused;
    counter.refused = true;
    return refusal(counter.limit, counter.value, now + taken.waitMs, now, firstInWindow);
  }

  /** The tenant's limits, read at most once per cache period (afterwards refreshed in the background). */
  private async limitsOf(tenantId: string): Promise<RateLimits> {
    const now = this.deps.clock.now();
    const cached = this.tenants.get(tenantId);
    if (cached && cached.until > now) return cached.limits;
    if (cached) {
      cached.refreshing ??= this.load(tenantId).catch((error: unknown) => {
        cached.refreshing = undefined;
        this.deps.log.warn('tenant limits refresh failed', { tenant_id: tenantId, error: String(error) });
      });
      return cached.limits;
    }
    await this.load(tenantId);
    return (this.tenants.get(tenantId) as { limits: RateLimits }).limits;
  }

  private async load(tenantId: string): Promise<void> {
    const { limits } = await readTenantLimits(this.deps, tenantId, this.options.defaults);
    if (this.tenants.size >= MAX_TENANTS) this.tenants.delete(this.tenants.keys().next().value as string);
    this.tenants.set(tenantId, { limits, until: this.deps.clock.now() + (this.options.limitsCacheMs ?? MINUTE) });
  }
}

function refusal(limit: RateLimitName, value: number, resetsAt: number, now: number, firstInWindow: boolean): Refusal {
  return { limit, value, resetsAt, retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now) / 1000)), firstInWindow };
}

/** The sentence a refused caller reads. */
export function refusalMessage(r: Refusal): string {
  const what =
    r.limit === 'dailyToolCalls'
      ? `the tenant's daily ceiling of ${r.value} tool calls`
      : r.limit === 'tenantPerMinute'
        ? `the tenant's limit of ${r.value} requests per minute`
        : `this key's limit of ${r.value} requests per minute`;
  return `Rate limit exceeded: ${what} (${RATE_LIMIT_WIRE[r.limit]}); retry after ${r.retryAfterSeconds} s, at ${new Date(r.resetsAt).toISOString()}`;
}
