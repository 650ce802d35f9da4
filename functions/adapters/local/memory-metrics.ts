import type { Metrics, MetricValue } from '../../ports/metrics.js';

/** What one `record` call was given. */
export interface RecordedMetrics {
  readonly values: readonly MetricValue[];
  readonly dimensions: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, string | number>>;
  readonly dimensionSets?: readonly (readonly string[])[];
}

/** Keeps every record in memory (tests assert on `records`). */
export class MemoryMetrics implements Metrics {
  readonly records: RecordedMetrics[] = [];

  record(...[values, dimensions, options = {}]: Parameters<Metrics['record']>): void {
    this.records.push({
      values: [...values],
      dimensions: { ...dimensions },
      context: { ...options.context },
      ...(options.dimensionSets ? { dimensionSets: options.dimensionSets } : {}),
    });
  }
}

/** The local server's metrics: none (there is no CloudWatch to send them to; the logs and the audit trail remain). */
export const noMetrics: Metrics = { record: () => {} };
