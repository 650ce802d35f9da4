import { ValidationError } from '../errors.js';

/**
 * Money and budget periods. Amounts cross the API in USD (two decimals) and
 * are stored as integer cents, so that sums and ceiling guards are exact.
 */

/** USD → integer cents; refuses negative, non-finite and sub-cent amounts. */
export function toCents(usd: number, field = 'amount'): number {
  if (!Number.isFinite(usd) || usd < 0) throw new ValidationError(`${field} must be a non-negative number of USD, got ${usd}`);
  const cents = Math.round(usd * 100);
  if (Math.abs(cents - usd * 100) > 1e-6) throw new ValidationError(`${field} has more than two decimals (cents): ${usd}`);
  return cents;
}

/** Integer cents → USD. */
export function fromCents(cents: number): number {
  return cents / 100;
}

/** "1,234,567.89" — for messages. */
export function formatUsd(usd: number): string {
  return usd.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A budget period: a calendar quarter (`2026-Q4`) or a year (`2026`). */
export const PERIOD_PATTERN = /^\d{4}(-Q[1-4])?$/;

/** The calendar quarter (UTC) containing `now`, e.g. `2026-Q4`. */
export function currentQuarter(now: number): string {
  const date = new Date(now);
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

/** Normalizes a period (`2026-q4` → `2026-Q4`); defaults to the current quarter. */
export function resolvePeriod(period: string | undefined, now: number): string {
  if (period === undefined) return currentQuarter(now);
  const normalized = period.trim().toUpperCase();
  if (!PERIOD_PATTERN.test(normalized)) throw new ValidationError(`period "${period}" is not a quarter like 2026-Q4 or a year like 2026`);
  return normalized;
}

/** A department's stable id: trimmed, lower case, inner whitespace as "_" ("Customer Success" → "customer_success"). */
export function normalizeDepartment(department: string): string {
  const id = department.trim().toLowerCase().replace(/\s+/g, '_');
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_&.-]{0,63}$/u.test(id)) {
    throw new ValidationError(`department "${department}" must be 1–64 letters, digits, spaces, "_", "&", "." or "-"`);
  }
  return id;
}
