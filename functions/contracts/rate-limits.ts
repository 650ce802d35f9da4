/**
 * The front door's limits (README "Rate limits"). Defaults come from
 * configuration (CDK context in AWS, environment locally); the board may
 * override each one for its own tenant (`set_rate_limits`).
 */
export interface RateLimits {
  /** Requests per minute one key (or OAuth grant) may make, over every endpoint. */
  readonly keyPerMinute: number;
  /** Requests per minute one tenant may make, over all its keys. */
  readonly tenantPerMinute: number;
  /** Requests a key or tenant may send at once on one instance before the per-second refill paces it. */
  readonly burst: number;
  /** `tools/call` requests a tenant may make per UTC day. */
  readonly dailyToolCalls: number;
}

export type RateLimitName = keyof RateLimits;

/** The wire names, as clients see them in errors and tools. */
export const RATE_LIMIT_WIRE: Readonly<Record<RateLimitName, string>> = {
  keyPerMinute: 'key_per_minute',
  tenantPerMinute: 'tenant_per_minute',
  burst: 'burst',
  dailyToolCalls: 'daily_tool_calls',
};

/** Stated defaults: generous for a person or an agent, tight enough to stop a runaway loop within a minute. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  keyPerMinute: 120,
  tenantPerMinute: 600,
  burst: 20,
  dailyToolCalls: 20_000,
};

/** The accepted range of each limit (inclusive), the same for configuration and the board's overrides. */
export const RATE_LIMIT_BOUNDS: Readonly<Record<RateLimitName, readonly [number, number]>> = {
  keyPerMinute: [1, 100_000],
  tenantPerMinute: [1, 1_000_000],
  burst: [1, 10_000],
  dailyToolCalls: [1, 100_000_000],
};

/** The JSON-RPC error code of a request refused by a limit (server-defined range). */
export const RATE_LIMITED_CODE = -32029;

/**
 * The header CloudFront adds to every request it forwards to the Function URL
 * when the stack puts a distribution in front; the function then refuses any
 * request without the stack's secret value in it (a call that bypassed the edge).
 */
export const ORIGIN_VERIFY_HEADER = 'x-conclave-origin-verify';
