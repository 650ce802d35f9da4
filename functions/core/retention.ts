import { TABLE_SCHEMA } from '../contracts/table.js';

/**
 * How long records that only grow are kept. In AWS each such item carries
 * the table's TTL attribute (`expiresAt`, epoch seconds) and DynamoDB deletes it after that time;
 * readers ignore expired items that TTL has not removed yet. Local mode
 * keeps them (dynalite has no TTL) but hides them the same way.
 */
export interface Retention {
  /** Audit entries are kept this many days. */
  readonly auditDays: number;
  /** A memory keeps at most this many previous versions (older ones are deleted on write). */
  readonly memoryVersions: number;
  /** A previous version of a memory is kept at most this many days. */
  readonly memoryVersionDays: number;
}

/** The defaults (stated in the README; the stack deploys them unless its env overrides them). */
export const DEFAULT_RETENTION: Retention = { auditDays: 400, memoryVersions: 50, memoryVersionDays: 365 };

export function retentionOf(deps: { readonly settings: { readonly retention?: Partial<Retention> } }): Retention {
  return { ...DEFAULT_RETENTION, ...deps.settings.retention };
}

/** Whether an item has passed its TTL (`expiresAt`) at `nowMs` (DynamoDB deletes lazily; dynalite never). */
export function expired(item: Readonly<Record<string, unknown>>, nowMs: number): boolean {
  const at = item[TABLE_SCHEMA.ttlAttribute];
  return typeof at === 'number' && at * 1000 <= nowMs;
}
