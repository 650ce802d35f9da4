import type { EndpointId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';

/** One audited call. Arguments are not recorded: they may carry secrets or personal data. */
export interface AuditEntry {
  readonly tenantId: string;
  readonly keyId: string;
  readonly role: EndpointId;
  /** What was done, e.g. `tool:list_agents` or `resource:conclave://org-chart`. */
  readonly action: string;
  readonly outcome: 'ok' | 'error';
  /** The error code when outcome is `error`. */
  readonly errorCode?: string;
  readonly durationMs: number;
  readonly correlationId: string;
  /** The model driving the caller when it is an autopilot agent (`keyId` is then `autopilot:<role>`). */
  readonly modelId?: string;
  /** Tokens a model step used (autopilot step lines, action `autopilot:step`). */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

export interface AuditView {
  readonly at: string;
  readonly key_id: string;
  readonly role: EndpointId;
  readonly action: string;
  readonly outcome: 'ok' | 'error';
  readonly error_code: string | null;
  readonly duration_ms: number;
  readonly correlation_id: string;
  readonly model_id: string | null;
}

/** The stored form of an entry, stamped with the time it was taken. */
export function auditItem(deps: Deps, entry: AuditEntry): Item {
  const at = deps.clock.now();
  return { ...keys.audit(entry.tenantId, at, deps.ids.next()), type: 'audit', at: new Date(at).toISOString(), ...entry };
}

/**
 * Appends audit items (at most 25, one round trip). A failed write is retried
 * once and then every item is logged in full (the log is the audit of last
 * resort), never thrown to the caller: the calls themselves already happened.
 */
export async function writeAudit(deps: Deps, items: readonly Item[]): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await deps.store.putMany(items);
      return;
    } catch (error) {
      if (attempt === 2) for (const item of items) deps.log.error('audit write failed; entry follows', { audit: item, error: String(error) });
    }
  }
}

/** Appends one audit entry now (see writeAudit). */
export async function recordAudit(deps: Deps, entry: AuditEntry): Promise<void> {
  await writeAudit(deps, [auditItem(deps, entry)]);
}

/** The tenant's audit trail for one UTC day, newest first. */
export async function listAudit(deps: Deps, tenantId: string, day: number, limit = 50): Promise<AuditView[]> {
  const page = await deps.store.query({ pk: keys.auditPartition(tenantId, day), descending: true, limit });
  return page.items.map((item) => ({
    at: String(item.at),
    key_id: String(item.keyId),
    role: item.role as EndpointId,
    action: String(item.action),
    outcome: item.outcome === 'ok' ? 'ok' : 'error',
    error_code: typeof item.errorCode === 'string' ? item.errorCode : null,
    duration_ms: Number(item.durationMs),
    correlation_id: String(item.correlationId),
    model_id: typeof item.modelId === 'string' ? item.modelId : null,
  }));
}
