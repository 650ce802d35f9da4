/**
 * Shared measurement and reporting helpers for the benchmarks. Every
 * benchmark prints a human-readable report and resolves with its figures;
 * these keep the arithmetic and the verdicts identical across them.
 */
import type { Log } from '../functions/ports/logger.js';
import { cpus } from 'node:os';

/** A limit a figure is judged against. `pass` is false when the figure is over the limit or the run was invalid. */
export interface TargetResult {
  readonly limit: number;
  readonly value: number;
  readonly unit: string;
  readonly pass: boolean;
}

/**
 * Judges `value <= limit` (the limits are all "at most" bounds). A run that
 * had errors cannot pass, whatever its figures, because they were measured
 * on a path that did not do the work.
 */
export function target(value: number, limit: number, unit: string, valid = true): TargetResult {
  return { limit, value: round(value), unit, pass: valid && value <= limit };
}

/** The `q`-quantile (0..1) by the nearest-rank method over unsorted samples; NaN when there are none. */
export function quantile(samples: ArrayLike<number>, q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median (lower middle for an even count, like `quantile(…, 0.5)`). */
export function median(samples: ArrayLike<number>): number {
  return quantile(samples, 0.5);
}

/** Rounds to two decimals, the precision every printed and JSON figure uses. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The runtime the figures were taken on, for the JSON line. */
export function environment(): { node: string; cpus: number; platform: string; arch: string } {
  return { node: process.version, cpus: cpus().length, platform: process.platform, arch: process.arch };
}

/** Renders rows as a fixed-width table: first column left-aligned, the rest right-aligned; numbers print with two decimals (pass counts as strings). */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toFixed(2) : cell)));
  const widths = header.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  return cells
    .map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  '))
    .join('\n');
}

function fixed(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** One printed verdict line per target. */
export function verdict(label: string, result: TargetResult): string {
  return `${result.pass ? 'PASS' : 'FAIL'}  ${label}: ${fixed(result.value)} ${result.unit} (limit ${fixed(result.limit)} ${result.unit})`;
}

/** A quiet Log for a benchmarked server: counts warnings and errors (keeping the first) so a failure still shows in the report. */
export function countingLog(): Log & { counts: { warn: number; error: number }; first: string | undefined } {
  const state = {
    counts: { warn: 0, error: 0 },
    first: undefined as string | undefined,
  };
  const note = (level: 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    state.counts[level]++;
    state.first ??= `${level}: ${message} ${JSON.stringify(fields ?? {})}`;
  };
  return Object.assign(state, { debug: () => undefined, info: () => undefined, warn: note('warn'), error: note('error') });
}

/** The usual latency figures of a sample set, in ms, rounded. */
export function latencySummary(latencies: readonly number[]): { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  return {
    p50Ms: round(quantile(latencies, 0.5)),
    p95Ms: round(quantile(latencies, 0.95)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(quantile(latencies, 1)),
    meanMs: round(latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length),
  };
}
