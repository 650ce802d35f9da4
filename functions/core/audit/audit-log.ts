import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { expired } from '../retention.js';
import { auditCodec, toAuditView, type AuditView } from './audit.js';

/** Filters of an audit listing; every given filter must match. */
export interface AuditFilters {
  /** First UTC day (YYYY-MM-DD), inclusive; default: `to`. */
  readonly from?: string;
  /** Last UTC day (YYYY-MM-DD), inclusive; default: today. */
  readonly to?: string;
  /** The endpoint a principal acted as, or the role a system change concerns. */
  readonly role?: string;
  /** A principal's key id, or `system` for changes the system made. */
  readonly principal?: string;
  /** An action (`tool:store_memory`, `step:feature_development.open_task`), a tool name, or a prefix ending in `*`. */
  readonly action?: string;
  readonly outcome?: 'ok' | 'error';
  readonly objectId?: string;
  /** Entries per page, 1..200; default 50. */
  readonly limit?: number;
  /** From a previous page's `next_cursor`. */
  readonly cursor?: string;
}

export interface AuditPage {
  readonly entries: AuditView[];
  /** Present when more entries may follow (older ones): pass it back as `cursor` with the same filters. */
  readonly next_cursor: string | null;
  readonly from: string;
  readonly to: string;
}

/** The widest range one listing covers. */
export const MAX_AUDIT_DAYS = 92;
const DAY_MS = 86_400_000;
/** Store reads one page may make before it returns what it has (with a cursor), so a rare filter cannot make a call unbounded. */
const MAX_READS = 40;
const READ_BATCH = 200;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day `YYYY-MM-DD` (or `today`) as the ms of its midnight; a clear error otherwise. */
export function parseAuditDay(day: string, nowMs: number, field = 'date'): number {
  if (day === 'today') return Math.floor(nowMs / DAY_MS) * DAY_MS;
  const ms = DATE.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw new ValidationError(`${field} must be a UTC day as YYYY-MM-DD (or "today"), got "${day}"`);
  return ms;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface Position {
  /** The day being read (ms of its midnight). */
  readonly day: number;
  /** The sort key of the last entry read on that day (entries are read newest first). */
  readonly after?: string;
}

function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify({ d: dayOf(p.day), a: p.after ?? null })).toString('base64url');
}

function decodeCursor(cursor: string, from: number, to: number): Position {
  const invalid = () => new ValidationError('cursor is not a cursor of this audit listing (pass next_cursor back with the same from/to)');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { d, a } = (raw ?? {}) as { d?: unknown; a?: unknown };
  if (typeof d !== 'string' || !DATE.test(d) || (a !== null && (typeof a !== 'string' || a.length > 300))) throw invalid();
  const day = Date.parse(`${d}T00:00:00.000Z`);
  if (!Number.isFinite(day) || day < from || day > to) throw invalid();
  return a === null ? { day } : { day, after: a };
}

function matcher(filters: AuditFilters, nowMs: number): (item: Item) => boolean {
  const action = filters.action;
  const actionMatches = (value: string): boolean => {
    if (action === undefined) return true;
    if (action.endsWith('*')) return value.startsWith(action.slice(0, -1));
    return value === action || value === `tool:${action}`;
  };
  return (item) => {
    if (expired(item, nowMs)) return false;
    const a = auditCodec.decode(item);
    if (filters.role !== undefined && a.role !== filters.role) return false;
    if (filters.principal !== undefined && (a.keyId ?? 'system') !== filters.principal) return false;
    if (filters.outcome !== undefined && a.outcome !== filters.outcome) return false;
    if (filters.objectId !== undefined && a.objectId !== filters.objectId && a.runId !== filters.objectId && a.decisionId !== filters.objectId) return false;
    return actionMatches(a.action);
  };
}

/**
 * The tenant's audit trail over a range of UTC days, newest first, a page at
 * a time. The cursor names a day and the last entry read, so paging returns
 * every entry exactly once (entries written meanwhile are newer and belong
 * to a fresh listing). Filters are applied as entries are read; a page may
 * hold fewer than `limit` entries (even none) and still have a cursor when
 * the filters skip many entries. Expired entries (past their retention) are
 * never returned. The partition is built from `tenantId`: a cursor cannot
 * reach another tenant.
 */
export async function listAuditLog(deps: Deps, tenantId: string, filters: AuditFilters = {}): Promise<AuditPage> {
  const now = deps.clock.now();
  const to = parseAuditDay(filters.to ?? 'today', now, 'to');
  const from = filters.from === undefined ? to : parseAuditDay(filters.from, now, 'from');
  if (from > to) throw new ValidationError('from must not be after to');
  if ((to - from) / DAY_MS + 1 > MAX_AUDIT_DAYS) throw new ValidationError(`a listing covers at most ${MAX_AUDIT_DAYS} days`);
  const limit = filters.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ValidationError('limit must be 1 to 200');
  const matches = matcher(filters, now);

  let position: Position = filters.cursor ? decodeCursor(filters.cursor, from, to) : { day: to };
  const entries: AuditView[] = [];
  for (let reads = 0; reads < MAX_READS; reads++) {
    const page = await deps.store.query({
      pk: keys.auditPartition(tenantId, position.day),
      descending: true,
      limit: READ_BATCH,
      ...(position.after ? { skBetween: ['0', position.after] as const } : {}),
    });
    const items = position.after ? page.items.filter((i) => i.sk !== position.after) : page.items;
    for (const item of items) {
      position = { day: position.day, after: item.sk };
      if (!matches(item)) continue;
      entries.push(toAuditView(auditCodec.decode(item)));
      if (entries.length === limit) return { entries, next_cursor: encodeCursor(position), from: dayOf(from), to: dayOf(to) };
    }
    if (page.cursor) continue; // more of this day: read on from the last entry
    if (position.day <= from) return { entries, next_cursor: null, from: dayOf(from), to: dayOf(to) };
    position = { day: position.day - DAY_MS };
  }
  return { entries, next_cursor: encodeCursor(position), from: dayOf(from), to: dayOf(to) };
}
