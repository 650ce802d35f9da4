/** Bedrock errors worth another attempt: capacity and transient service faults (shared by the embedder and the model adapter). */
export const TRANSIENT_BEDROCK_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'ModelNotReadyException',
  'InternalServerException',
  'ModelTimeoutException',
  'TimeoutError',
]);

/** How a Bedrock adapter retries: exponential backoff with full jitter. */
export interface BedrockRetryOptions {
  /** Attempts per call, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** The backoff before retry n is uniform in [0, min(maxDelayMs, baseDelayMs × 2^n)] ("full jitter"). Each adapter states its default. */
  readonly baseDelayMs?: number;
  /** The longest backoff. Each adapter states its default. */
  readonly maxDelayMs?: number;
  /** Injected by tests so retries take no time. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** A resolved retry policy: how many attempts, and the wait before the next one. */
export interface BedrockRetry {
  readonly maxAttempts: number;
  /** Waits the jittered backoff that follows failed attempt `attempt` (1-based). */
  backoff(attempt: number): Promise<void>;
}

/** Resolves `options` over an adapter's defaults. */
export function bedrockRetry(options: BedrockRetryOptions, defaults: { baseDelayMs: number; maxDelayMs: number }): BedrockRetry {
  const baseDelayMs = options.baseDelayMs ?? defaults.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? defaults.maxDelayMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  return {
    maxAttempts: options.maxAttempts ?? 5,
    backoff: (attempt) => sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)),
  };
}
