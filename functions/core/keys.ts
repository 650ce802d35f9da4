import type { EndpointId } from '../contracts/roles.js';
import { LOCAL_EXECUTION_KEYS } from '../contracts/table.js';
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

  /**
   * A console session, found by the SHA-256 of its cookie (never the cookie
   * itself). Global like API keys: the session names its tenant.
   */
  consoleSession: (tokenHash: string): ItemKey => ({ pk: `CONSOLESESSION#${tokenHash}`, sk: 'SESSION' }),

  /** The server secret the human pages' CSRF tokens are signed with (functions/web/secret.ts). Global. */
  webSecret: { pk: 'CONFIG#WEB', sk: 'SECRET' } as ItemKey,

  /**
   * OAuth (functions/core/oauth): registered clients, authorization codes
   * (by the SHA-256 of the code), grants, and each grant's access and refresh
   * tokens (by the SHA-256 of the token) in the grant's own item collection,
   * so one BatchGet reads a token with its grant. Global like API keys: a
   * grant names its tenant. Every one of them expires through the TTL attribute.
   */
  oauthClient: (clientId: string): ItemKey => ({ pk: `OAUTHCLIENT#${clientId}`, sk: 'CLIENT' }),
  oauthCode: (codeHash: string): ItemKey => ({ pk: `OAUTHCODE#${codeHash}`, sk: 'CODE' }),
  oauthGrant: (grantId: string): ItemKey => ({ pk: `OAUTHGRANT#${grantId}`, sk: 'GRANT' }),
  oauthAccessToken: (grantId: string, tokenHash: string): ItemKey => ({ pk: `OAUTHGRANT#${grantId}`, sk: `AT#${tokenHash}` }),
  oauthRefreshToken: (grantId: string, tokenHash: string): ItemKey => ({ pk: `OAUTHGRANT#${grantId}`, sk: `RT#${tokenHash}` }),
  /**
   * Upstream OpenID Connect sign-in (functions/core/identity): a mapping from
   * a provider's user or group (`subject:<sub>`, `email:<address>`,
   * `group:<name>`) to a tenant and roles, listed through GSI1 (`IDMAPS`);
   * a sign-in in flight, by the SHA-256 of its `state`; and a signed-in
   * person waiting on the consent page, by the SHA-256 of its sign-in token.
   * Global like API keys: each names its tenant. The last two expire (TTL).
   */
  identityMapping: (id: string): ItemKey => ({ pk: `IDMAP#${id}`, sk: 'IDMAP' }),
  upstreamLogin: (stateHash: string): ItemKey => ({ pk: `OIDCLOGIN#${stateHash}`, sk: 'LOGIN' }),
  upstreamSignIn: (tokenHash: string): ItemKey => ({ pk: `OIDCSIGNIN#${tokenHash}`, sk: 'SIGNIN' }),
  /** A window's count of dynamic client registrations (the registration rate limit). */
  oauthRegistrations: (window: string): ItemKey => ({ pk: 'OAUTHDCR', sk: window }),

  tenant: (tenantId: string): ItemKey => ({ pk: `T#${tenantId}`, sk: 'TENANT' }),
  roleOverride: (tenantId: string, role: EndpointId): ItemKey => ({ pk: `T#${tenantId}`, sk: `ROLE#${role}` }),
  /** The board's overrides of the front door's limits for its tenant. */
  rateLimits: (tenantId: string): ItemKey => ({ pk: `T#${tenantId}`, sk: 'LIMITS' }),
  /** A request counter of one limit scope (`key#<id>` or `tenant`) for one window; expires after it. */
  rateWindow: (tenantId: string, scope: string, window: string): ItemKey => ({ pk: `T#${tenantId}#RATE`, sk: `${scope}#${window}` }),
  rolePrefix: 'ROLE#',
  /** The tenant's org chart: its changes from the default chart and their revision (core/org/org-chart.ts). */
  orgChart: (tenantId: string): ItemKey => ({ pk: `T#${tenantId}`, sk: 'ORGCHART' }),

  /** The tenant's autopilot switch and budget, and each role's autopilot setting (`AUTOPILOT#<role>`), in the tenant's collection. */
  autopilotTenant: (tenantId: string): ItemKey => ({ pk: `T#${tenantId}`, sk: 'AUTOPILOT' }),
  autopilotRole: (tenantId: string, role: EndpointId): ItemKey => ({ pk: `T#${tenantId}`, sk: `AUTOPILOT#${role}` }),
  autopilotPrefix: 'AUTOPILOT',
  /** Autopilot token usage per UTC day, and one item per activation (idempotency on the triggering event). */
  autopilotUsage: (tenantId: string, day: string): ItemKey => ({ pk: `T#${tenantId}#AUTOPILOT`, sk: `USAGE#${day}` }),
  autopilotActivation: (tenantId: string, eventId: string, role: EndpointId): ItemKey => ({ pk: `T#${tenantId}#AUTOPILOT`, sk: `ACT#${eventId}#${role}` }),
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
  /** A run's item collection: the run (`RUN`), its waits (`WAIT#<state>.<round>`) and its history (`STEP#<id>`, time-ordered). */
  runPartition: (tenantId: string, runId: string) => `T#${tenantId}#RUN#${runId}`,
  /** One waiting Task state of a run: its task token, the tasks it opened and how it was resolved. */
  runWait: (tenantId: string, runId: string, waitId: string): ItemKey => ({ pk: `T#${tenantId}#RUN#${runId}`, sk: `WAIT#${waitId}` }),
  runWaitPrefix: 'WAIT#',
  runStep: (tenantId: string, runId: string, stepId: string): ItemKey => ({ pk: `T#${tenantId}#RUN#${runId}`, sk: `STEP#${stepId}` }),
  runStepPrefix: 'STEP#',
  /** A run's wait that resumes when a decision changes (kept in the decision's collection, so one Query finds every waiter). */
  decisionWaiter: (tenantId: string, decisionId: string, runId: string, waitId: string): ItemKey => ({
    pk: `T#${tenantId}#DECISION#${decisionId}`,
    sk: `WAITER#${runId}#${waitId}`,
  }),
  decisionWaiterPrefix: 'WAITER#',
  /** Local mode only: the local engine's execution records (keys defined in contracts/table.ts, which the adapter uses). */
  localExecution: LOCAL_EXECUTION_KEYS.execution,
  localExecutionsRunning: LOCAL_EXECUTION_KEYS.running,

  /** A role's (or the board's) inbox; message ids sort by time. */
  inbox: (tenantId: string, recipient: EndpointId) => `T#${tenantId}#INBOX#${recipient}`,
  inboxItem: (tenantId: string, recipient: EndpointId, messageId: string): ItemKey => ({
    pk: `T#${tenantId}#INBOX#${recipient}`,
    sk: `MSG#${messageId}`,
  }),
  /** GSI1 partition holding only unread messages (a sparse index: reading a message removes it). */
  unread: (tenantId: string, recipient: EndpointId) => `T#${tenantId}#UNREAD#${recipient}`,
  /** The inbox messages that ask for one thing (a task, a vote, a ruling), across recipients: resolved together when it is settled. */
  request: (tenantId: string, requestKey: string) => `T#${tenantId}#REQUEST#${requestKey}`,
  requestEntry: (tenantId: string, requestKey: string, recipient: EndpointId, messageId: string): ItemKey => ({
    pk: `T#${tenantId}#REQUEST#${requestKey}`,
    sk: `MSG#${recipient}#${messageId}`,
  }),
  /** A role's actionable messages (requests not yet settled), by message id: resolving a request removes its entries. */
  actionable: (tenantId: string, recipient: EndpointId) => `T#${tenantId}#ACTIONABLE#${recipient}`,
  actionableItem: (tenantId: string, recipient: EndpointId, messageId: string): ItemKey => ({ pk: `T#${tenantId}#ACTIONABLE#${recipient}`, sk: `MSG#${messageId}` }),

  /**
   * Organizational memory: one item collection per tenant holding every
   * memory (`MEM#<key>`, upserted by key; a forgotten memory stays as a small
   * tombstone) and the tenant's memory counters.
   */
  memories: (tenantId: string) => `T#${tenantId}#MEMORY`,
  memory: (tenantId: string, key: string): ItemKey => ({ pk: `T#${tenantId}#MEMORY`, sk: `MEM#${key}` }),
  memoryPrefix: 'MEM#',
  /** The tenant's memory counters: active memories and, per embedding model, those holding its vector (search-index.ts). */
  memoryCounts: (tenantId: string): ItemKey => ({ pk: `T#${tenantId}#MEMORY`, sk: 'COUNTS' }),
  /**
   * Memories whose search-index entries (functions/core/memory/search-index.ts)
   * may be behind the table: marked before the memory is written, cleared
   * once both indexes hold its current version and it has a vector. The
   * pending-embedding retry path works through this partition.
   */
  memoryUnindexed: (tenantId: string, key: string): ItemKey => ({ pk: `T#${tenantId}#MEMUNINDEXED`, sk: `MEM#${key}` }),
  memoriesUnindexed: (tenantId: string) => `T#${tenantId}#MEMUNINDEXED`,
  /** A memory's previous versions: one partition per key, newest last (the version zero-padded so string order is numeric order). */
  memoryVersions: (tenantId: string, key: string) => `T#${tenantId}#MEMHIST#${key}`,
  memoryVersion: (tenantId: string, key: string, version: number): ItemKey => ({
    pk: `T#${tenantId}#MEMHIST#${key}`,
    sk: `V#${String(version).padStart(10, '0')}`,
  }),
  /** GSI1 partition: a tenant's memory writes ordered by write time, (listing, newest first). */
  memoryChanges: (tenantId: string) => `T#${tenantId}#MEMCHANGES`,
  /** GSI1 sort key of a memory write: the write time in ms (13 digits, so string order is time order), then the key. */
  memoryChange: (atMs: number, key: string) => `${memoryChangeTime(atMs)}#${key}`,
  /** The lowest GSI1 sort key of writes at or after `atMs`. */
  memoryChangeTime,

  /** Audit records: one partition per tenant per UTC day, sorted by time. */
  audit: (tenantId: string, at: number, id: string): ItemKey => ({
    pk: auditPartition(tenantId, at),
    sk: `${new Date(at).toISOString()}#${id}`,
  }),
  auditPartition,
} as const;

function memoryChangeTime(atMs: number): string {
  return String(Math.max(0, Math.floor(atMs))).padStart(13, '0');
}

function auditPartition(tenantId: string, at: number): string {
  return `T#${tenantId}#AUDIT#${new Date(at).toISOString().slice(0, 10)}`;
}
