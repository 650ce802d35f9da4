/** The units Conclave's metrics use (CloudWatch unit names). */
export type MetricUnit = 'Count' | 'Milliseconds';

/** One observed value of a named metric. */
export interface MetricValue {
  readonly name: string;
  readonly unit: MetricUnit;
  /** A finite number (a count, or a duration in milliseconds). */
  readonly value: number;
}

/**
 * The metrics port: records values observed together, such as the count,
 * error flag and latency of one tool call. CloudWatch embedded metric format
 * in AWS (functions/adapters/aws/emf-metrics.ts), nothing or memory locally
 * (functions/adapters/local/memory-metrics.ts).
 *
 * Dimensions must have few distinct values (a tool name, a role): each
 * distinct combination becomes a separately billed CloudWatch metric.
 * Anything with many values (tenant, correlation id) belongs in `context`,
 * which is kept with the record for log queries but never aggregated.
 */
export interface Metrics {
  /**
   * Records `values` under `dimensions` at once. Never throws and never
   * blocks: a metric that cannot be recorded must not fail the request.
   *
   * @param values the metrics observed, each once
   * @param dimensions dimension name → value, low cardinality only
   * @param options.context high-cardinality keys kept with the record (not dimensions)
   * @param options.dimensionSets which combinations of `dimensions` to aggregate by,
   *   each a list of dimension names (`[]` aggregates over all of them); default: one set of all `dimensions`
   */
  record(
    values: readonly MetricValue[],
    dimensions: Readonly<Record<string, string>>,
    options?: { readonly context?: Readonly<Record<string, string | number>>; readonly dimensionSets?: readonly (readonly string[])[] },
  ): void;
}
