import { timingSafeEqual } from 'node:crypto';
import { ORIGIN_VERIFY_HEADER, RATE_LIMIT_WIRE, RATE_LIMITED_CODE } from '../contracts/rate-limits.js';
import { DIMENSION, METRIC } from '../contracts/observability.js';
import type { Deps } from '../core/context.js';
import type { Actor } from '../core/principal.js';
import type { Metrics } from '../ports/metrics.js';
import type { AuditTrail } from './audit-trail.js';
import { RateLimiter, refusalMessage, type Refusal } from './rate-limiter.js';

export interface FrontDoorOptions {
  /**
   * The secret CloudFront sends in `x-conclave-origin-verify`; when set, any
   * request without it (one that went around the distribution to the Function
   * URL) is refused before anything else is read.
   */
  readonly originSecret?: string;
}

/**
 * The origin check alone (the web function has no rate limits): with a
 * secret, a request that does not present it in `x-conclave-origin-verify`
 * gets a 403; without one, nothing is checked.
 */
export function bypassGuard(originSecret: string | undefined): (request: Request) => Response | undefined {
  const secret = originSecret ? Buffer.from(originSecret) : undefined;
  return (request) => {
    if (!secret) return undefined;
    const presented = Buffer.from(request.headers.get(ORIGIN_VERIFY_HEADER) ?? '');
    if (presented.length === secret.length && timingSafeEqual(presented, secret)) return undefined;
    return Response.json({ error: { code: 'forbidden', message: 'Forbidden: call this service through its published URL' } }, { status: 403 });
  };
}

/**
 * What the HTTP edge checks around authentication so that one key, tenant or
 * flood cannot run up the bill: the origin secret first (no work at all for
 * a bypassing request), then, for an authenticated caller, the per-minute
 * limits, and for tool calls the tenant's daily ceiling. A refusal is HTTP
 * 429 with Retry-After and a JSON-RPC error naming the limit; it changes
 * nothing, counts in the `RateLimited` metric, and is audited once per scope
 * and window.
 */
export class FrontDoor {
  private readonly limiter: RateLimiter | undefined;
  /** A 403 for a request that did not come through the edge, when an origin secret is configured. */
  readonly refuseBypass: (request: Request) => Response | undefined;

  constructor(
    private readonly deps: Deps,
    options: FrontDoorOptions,
    private readonly sinks: { audit: AuditTrail; metrics: Metrics },
  ) {
    // The deployment's default limits (Deps settings); each tenant's board may override them.
    const defaults = deps.settings.rateLimits;
    this.limiter = defaults ? new RateLimiter(deps, { defaults }) : undefined;
    this.refuseBypass = bypassGuard(options.originSecret);
  }

  /** A 429 when the caller is over a per-minute limit. */
  async admit(actor: Actor, correlationId: string): Promise<Response | undefined> {
    const refusal = await this.limiter?.admit(actor);
    return refusal ? this.refuse(refusal, actor, correlationId) : undefined;
  }

  /** A 429 when the request's tool calls would pass the tenant's daily ceiling. */
  async admitToolCalls(actor: Actor, body: unknown, correlationId: string): Promise<Response | undefined> {
    if (!this.limiter) return undefined;
    for (let i = 0; i < toolCalls(body); i++) {
      const refusal = await this.limiter.admitToolCall(actor);
      if (refusal) return this.refuse(refusal, actor, correlationId);
    }
    return undefined;
  }

  /** Writes the counts of the requests admitted so far (off the response path). */
  flush(): Promise<void> {
    return this.limiter?.flush() ?? Promise.resolve();
  }

  private refuse(refusal: Refusal, actor: Actor, correlationId: string): Response {
    const limit = RATE_LIMIT_WIRE[refusal.limit];
    this.sinks.metrics.record([{ name: METRIC.rateLimited, unit: 'Count', value: 1 }], { [DIMENSION.limit]: limit }, {
      context: { tenant_id: actor.tenantId, correlation_id: correlationId },
      dimensionSets: [[], [DIMENSION.limit]],
    });
    if (refusal.firstInWindow) {
      this.sinks.audit.record({
        tenantId: actor.tenantId,
        keyId: actor.keyId,
        role: actor.actingAs,
        action: `limit:${limit}`,
        outcome: 'error',
        errorCode: 'rate_limited',
        durationMs: 0,
        correlationId,
      });
      this.deps.log.warn('rate limited', { tenant_id: actor.tenantId, key_id: actor.keyId, limit, value: refusal.value });
    }
    const data = { limit, value: refusal.value, resets_at: new Date(refusal.resetsAt).toISOString(), retry_after_seconds: refusal.retryAfterSeconds };
    return Response.json(
      { jsonrpc: '2.0', id: null, error: { code: RATE_LIMITED_CODE, message: refusalMessage(refusal), data } },
      { status: 429, headers: { 'retry-after': String(refusal.retryAfterSeconds) } },
    );
  }
}

/** How many tool calls a JSON-RPC message (or a 2025-era batch) carries. */
function toolCalls(body: unknown): number {
  const messages = Array.isArray(body) ? body : [body];
  return messages.filter((m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call').length;
}
