import type { EndpointId } from '../../contracts/roles.js';
import { expiresAt, TABLE_SCHEMA } from '../../contracts/table.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { retentionOf } from '../retention.js';
import { field, type Codec } from '../versioned.js';

/**
 * One audited state change (or call). Arguments and results are never
 * recorded: they may carry secrets or personal data. The actor is either a
 * principal (`keyId` and the endpoint it acted as in `role`) or the system
 * (`component`, e.g. `workflow:feature_development` or `consumer:inbox-fanout`,
 * with the run or decision it acted for).
 */
export interface AuditEntry {
  readonly tenantId: string;
  /** The principal's public key id; absent when the system acted. */
  readonly keyId?: string;
  /** The endpoint the principal acted as, or the role a system change concerns. */
  readonly role?: EndpointId;
  /** The system component that acted (absent for a principal). */
  readonly component?: string;
  /** The workflow run the system acted for. */
  readonly runId?: string;
  /** The decision the system acted for. */
  readonly decisionId?: string;
  /** What was done, e.g. `tool:list_agents`, `step:feature_development.open_task`, `decision:escalated`. */
  readonly action: string;
  /** The id of the object changed (a decision, run, memory key, role, …) when one is known. */
  readonly objectId?: string;
  readonly outcome: 'ok' | 'error';
  /** The error code when outcome is `error`. */
  readonly errorCode?: string;
  readonly durationMs?: number;
  readonly correlationId: string;
  /** The model driving the caller when it is an autopilot agent (`keyId` is then `autopilot:<role>`). */
  readonly modelId?: string;
  /** Tokens a model step used (autopilot step lines, action `autopilot:step`). */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/** Who made an audited change, as tools and resources show it. */
export interface AuditActorView {
  readonly type: 'principal' | 'system';
  readonly key_id: string | null;
  readonly role: EndpointId | null;
  readonly component: string | null;
  readonly run_id: string | null;
  readonly decision_id: string | null;
}

export interface AuditView {
  /** Stable id of the entry (its day and sort key). */
  readonly id: string;
  readonly at: string;
  readonly actor: AuditActorView;
  /** Same as actor.key_id (kept for readers of the first audit format). */
  readonly key_id: string | null;
  /** Same as actor.role. */
  readonly role: EndpointId | null;
  readonly action: string;
  readonly object_id: string | null;
  readonly outcome: 'ok' | 'error';
  readonly error_code: string | null;
  readonly duration_ms: number | null;
  readonly correlation_id: string;
  readonly model_id: string | null;
}

const DAY_MS = 86_400_000;

/** The stored form of an entry, stamped with the time it was taken and its expiry (TTL, seconds). */
export function auditItem(deps: Deps, entry: AuditEntry): Item {
  const at = deps.clock.now();
  const defined = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
  return { ...keys.audit(entry.tenantId, at, deps.ids.next()), type: 'audit', at: new Date(at).toISOString(), [TABLE_SCHEMA.ttlAttribute]: expiresAt(at, retentionOf(deps).auditDays * DAY_MS), ...defined };
}

/**
 * Appends audit items (at most 25, one round trip). A failed write is retried
 * once and then every item is logged in full (the log is the audit of last
 * resort), never thrown to the caller: the calls themselves already happened.
 */
export async function writeAudit(deps: Deps, items: readonly Item[]): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      // One item goes through `put`, which every function's table grant includes (consumers have no BatchWriteItem).
      if (items.length === 1) await deps.store.put(items[0] as Item);
      else await deps.store.putMany(items);
      return;
    } catch (error) {
      if (attempt === 2) for (const item of items) deps.log.error('audit write failed; entry follows', { audit: item, error: String(error) });
    }
  }
}

/** Appends one audit entry now (see writeAudit). The port for any code that changes state outside a tool call. */
export async function recordAudit(deps: Deps, entry: AuditEntry): Promise<void> {
  await writeAudit(deps, [auditItem(deps, entry)]);
}

/** What the system did, for one tenant: `recordAudit` with the system as the actor. */
export interface SystemChange {
  readonly tenantId: string;
  readonly component: string;
  readonly action: string;
  readonly correlationId: string;
  readonly runId?: string;
  readonly decisionId?: string;
  readonly objectId?: string;
  readonly role?: EndpointId;
  readonly outcome?: 'ok' | 'error';
  readonly errorCode?: string;
  readonly durationMs?: number;
}

/** Audits a change made by the system (a workflow step, consumer, deadline, timeout, reminder, approval taking effect). */
export async function auditSystemChange(deps: Deps, change: SystemChange): Promise<void> {
  const { outcome = 'ok', ...rest } = change;
  await recordAudit(deps, { ...rest, outcome });
}

/** An audit entry as stored: its partition (tenant and day) and sort key, the time taken and the entry's fields. */
export interface AuditRecord {
  readonly pk: string;
  readonly sk: string;
  readonly at: string;
  readonly keyId: string | null;
  readonly role: EndpointId | null;
  readonly component: string | null;
  readonly runId: string | null;
  readonly decisionId: string | null;
  readonly action: string;
  readonly objectId: string | null;
  readonly outcome: 'ok' | 'error';
  readonly errorCode: string | null;
  readonly durationMs: number | null;
  readonly correlationId: string;
  readonly modelId: string | null;
}

/** Entries are written once (auditItem) and only read back: the codec decodes; encode restores the attributes it knows. */
export const auditCodec: Codec<AuditRecord> = {
  decode: (i) => {
    const text = (name: string): string | null => field.strOrNull(i, name) || null;
    return {
      pk: field.reqStr(i, 'pk'),
      sk: field.reqStr(i, 'sk'),
      at: field.str(i, 'at'),
      keyId: text('keyId'),
      role: text('role') as EndpointId | null,
      component: text('component'),
      runId: text('runId'),
      decisionId: text('decisionId'),
      action: field.str(i, 'action'),
      objectId: text('objectId'),
      outcome: field.str(i, 'outcome') === 'ok' ? 'ok' : 'error',
      errorCode: text('errorCode'),
      durationMs: field.numOrNull(i, 'durationMs'),
      correlationId: field.str(i, 'correlationId'),
      modelId: text('modelId'),
    };
  },
  encode: (a) => ({ type: 'audit', ...Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null)), pk: a.pk, sk: a.sk }),
};

/** The view of a stored entry. */
export function toAuditView(a: AuditRecord): AuditView {
  const day = a.pk.slice(-10);
  return {
    id: `${day}|${a.sk}`,
    at: a.at,
    actor: {
      type: a.keyId ? 'principal' : 'system',
      key_id: a.keyId,
      role: a.role,
      component: a.component,
      run_id: a.runId,
      decision_id: a.decisionId,
    },
    key_id: a.keyId,
    role: a.role,
    action: a.action,
    object_id: a.objectId,
    outcome: a.outcome,
    error_code: a.errorCode,
    duration_ms: a.durationMs,
    correlation_id: a.correlationId,
    model_id: a.modelId,
  };
}
