/**
 * Progress over the stream: a tool that takes more than a moment reports
 * how far it is. When the caller's request carries a progress token, each
 * report is a `notifications/progress` related to that request, which the
 * SDK's per-request transport sends on the request's SSE response (the
 * response upgrades to a stream at the first one) — over node:http locally
 * and through the Function URL's response streaming in AWS. Without a token
 * reports go nowhere.
 */
export type ReportProgress = (progress: number, total?: number, message?: string) => Promise<void>;

/** What of the SDK's request context progress needs. */
export interface ProgressSource {
  readonly mcpReq: {
    readonly _meta?: { readonly progressToken?: string | number };
    readonly notify: (notification: { method: 'notifications/progress'; params: Record<string, unknown> }) => Promise<void>;
  };
}

export const noProgress: ReportProgress = async () => {};

/** The reporter for one request: increasing progress values only (the spec requires it), a failed send never fails the call. */
export function progressReporter(source: ProgressSource | undefined): ReportProgress {
  const token = source?.mcpReq._meta?.progressToken;
  if (token === undefined || source === undefined) return noProgress;
  let last = -Infinity;
  return async (progress, total, message) => {
    if (!(progress > last)) return;
    last = progress;
    await source.mcpReq
      .notify({
        method: 'notifications/progress',
        params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message: message.slice(0, 500) } : {}) },
      })
      .catch(() => undefined);
  };
}

/**
 * Repeats `step` until it reports done or `waitMs` has passed, reporting
 * the first state and every advance as progress. Returns the last
 * result. A bounded wait: callers cap `waitMs` below the function's timeout.
 */
export async function pollWithProgress<T>(
  step: () => Promise<T>,
  options: { waitMs: number; intervalMs: number; report: ReportProgress; measure: (value: T) => { done: number; total: number; message: string; complete: boolean } },
): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const value = await step();
    const m = options.measure(value);
    // The reporter sends only increasing values: the first state, then each one that moved.
    await options.report(m.done, m.total, m.message);
    if (m.complete || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
