import type { EndpointId } from '../contracts/roles.js';
import type { ItemKey } from '../ports/store.js';

/**
 * The single-table key design (docs/data-model.md). Every tenant-owned item
 * lives under a partition key that starts with `T#<tenant>`, so no query can
 * reach another tenant's data by construction. API keys are global (they are
 * how a tenant is found) and are addressed by their public key id.
 */
export const keys = {
  apiKey: (keyId: string): ItemKey => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' }),
  /** GSI1 partition listing every API key, sorted by tenant then key id. */
  apiKeyIndex: 'APIKEYS',

  tenant: (tenantId: string): ItemKey => ({ pk: `T#${tenantId}`, sk: 'TENANT' }),
  roleOverride: (tenantId: string, role: EndpointId): ItemKey => ({ pk: `T#${tenantId}`, sk: `ROLE#${role}` }),
  rolePrefix: 'ROLE#',

  agent: (tenantId: string, role: EndpointId): ItemKey => ({ pk: `T#${tenantId}`, sk: `AGENT#${role}` }),
  agentPrefix: 'AGENT#',

  /** A decision's item collection: the decision, its votes and its escalations. */
  decision: (tenantId: string, decisionId: string) => `T#${tenantId}#DECISION#${decisionId}`,
  decisionItem: (tenantId: string, decisionId: string): ItemKey => ({ pk: `T#${tenantId}#DECISION#${decisionId}`, sk: 'DECISION' }),
  vote: (tenantId: string, decisionId: string, voter: EndpointId): ItemKey => ({ pk: `T#${tenantId}#DECISION#${decisionId}`, sk: `VOTE#${voter}` }),
  escalation: (tenantId: string, decisionId: string, escalationId: string): ItemKey => ({
    pk: `T#${tenantId}#DECISION#${decisionId}`,
    sk: `ESCALATION#${escalationId}`,
  }),
  /** GSI1 partition listing a tenant's decisions by creation time. */
  decisions: (tenantId: string) => `T#${tenantId}#DECISIONS`,

  /**
   * A domain record of a role tool (feature, design, incident, quality gate, …):
   * its own partition (`kind` is an upper-case word naming the entity), listed
   * per tenant and kind through GSI1 with `recordIndex` and a time-ordered sort key.
   */
  record: (tenantId: string, kind: string, id: string): ItemKey => ({ pk: `T#${tenantId}#${kind}#${id}`, sk: kind }),
  recordIndex: (tenantId: string, kind: string) => `T#${tenantId}#${kind}S`,
  /** A department's budget for a period (e.g. 2026-Q4): allocations are atomic additions guarded by the ceiling. */
  budget: (tenantId: string, period: string, department: string): ItemKey => ({ pk: `T#${tenantId}#BUDGET#${period}`, sk: department }),
  budgetPeriod: (tenantId: string, period: string) => `T#${tenantId}#BUDGET#${period}`,
  /** A role's task list (tasks are created by workflows). */
  tasks: (tenantId: string, assignee: EndpointId) => `T#${tenantId}#TASKS#${assignee}`,
  task: (tenantId: string, assignee: EndpointId, taskId: string): ItemKey => ({ pk: `T#${tenantId}#TASKS#${assignee}`, sk: `TASK#${taskId}` }),
  /** Workflow runs of a tenant, listed newest first through GSI1. */
  run: (tenantId: string, runId: string): ItemKey => ({ pk: `T#${tenantId}#RUN#${runId}`, sk: 'RUN' }),
  runs: (tenantId: string) => `T#${tenantId}#RUNS`,

  /** A role's (or the board's) inbox; message ids sort by time. */
  inbox: (tenantId: string, recipient: EndpointId) => `T#${tenantId}#INBOX#${recipient}`,
  inboxItem: (tenantId: string, recipient: EndpointId, messageId: string): ItemKey => ({
    pk: `T#${tenantId}#INBOX#${recipient}`,
    sk: `MSG#${messageId}`,
  }),
  /** GSI1 partition holding only unread messages (a sparse index: reading a message removes it). */
  unread: (tenantId: string, recipient: EndpointId) => `T#${tenantId}#UNREAD#${recipient}`,

  /** Audit records: one partition per tenant per UTC day, sorted by time. */
  audit: (tenantId: string, at: number, id: string): ItemKey => ({
    pk: auditPartition(tenantId, at),
    sk: `${new Date(at).toISOString()}#${id}`,
  }),
  auditPartition,
} as const;

function auditPartition(tenantId: string, at: number): string {
  return `T#${tenantId}#AUDIT#${new Date(at).toISOString().slice(0, 10)}`;
}
