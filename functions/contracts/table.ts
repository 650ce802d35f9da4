/**
 * The single DynamoDB table's physical schema, shared by the CDK table
 * construct and the local runtime (which creates the same table in dynalite).
 * See docs/data-model.md for the access patterns behind the keys.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /**
   * The one time-to-live attribute (a table has at most one): an item holding a
   * number here (epoch SECONDS) is deleted by DynamoDB some time after that
   * moment (typically within a few days; readers must treat an expired item as
   * gone). Every expiring record (rate-limit windows, OAuth codes and tokens,
   * sessions, memory history, audit retention, …) uses this name. dynalite
   * does not expire items: local readers check the time themselves.
   */
  ttlAttribute: 'expiresAt',
} as const;

/** The TTL value (epoch seconds) for an item that may be deleted `afterMs` from `nowMs`. */
export function expiresAt(nowMs: number, afterMs: number): number {
  return Math.ceil((nowMs + afterMs) / 1000);
}

export type IndexName = (typeof TABLE_SCHEMA.indexes)[number]['name'];

/**
 * Local mode only: the keys of the local workflow engine's execution records
 * (its current state and that state's input), so runs survive a restart of
 * the local server. Global like API keys: the engine resumes every tenant's
 * runs. Here, not in core/keys.ts, because the local engine adapter writes them.
 */
export const LOCAL_EXECUTION_KEYS = {
  execution: (machine: string, name: string) => ({ pk: `LOCALEXEC#${machine}#${name}`, sk: 'EXECUTION' }),
  /** GSI1 partition listing the local executions still running (a sparse index: finishing removes the entry). */
  running: 'LOCALEXECS#RUNNING',
} as const;
