import { AGENT_ROLES, ENDPOINTS, type EndpointId } from '../../contracts/roles.js';
import { listAgents } from '../../core/agents/agents.js';
import { listAuditLog } from '../../core/audit/audit-log.js';
import { getAutopilot } from '../../core/autopilot/settings.js';
import { ValidationError } from '../../core/errors.js';
import { loadTenantChart } from '../../core/org/org-chart.js';
import { defineResource, type ResourceDefinition } from '../resource.js';
import { auditLogTool } from '../tools/audit-log.js';
import { getDecisionTool } from '../tools/get-decision.js';
import { getMemoryTool } from '../tools/get-memory.js';
import { listDecisionsTool } from '../tools/list-decisions.js';
import { listMemoriesTool } from '../tools/list-memories.js';
import { listWorkflowRunsTool } from '../tools/list-workflow-runs.js';
import { myTasksTool } from '../tools/my-tasks.js';
import { readInboxTool } from '../tools/read-inbox.js';
import { workflowStatusTool } from '../tools/workflow-status.js';
import { viaTool } from './via-tool.js';
import { approvalCardResource } from '../../web/card/card.js';

const JSON_TYPE = 'application/json';
const enc = encodeURIComponent;

/** The audit resource's query parameters (conclave://audit/{date}?role=…&cursor=…), checked like the audit_log tool's arguments. */
const AUDIT_QUERY = ['role', 'principal', 'action', 'outcome', 'object_id', 'cursor', 'limit'] as const;

function auditQuery(uri: URL): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const [name, value] of uri.searchParams) {
    if (!(AUDIT_QUERY as readonly string[]).includes(name)) throw new ValidationError(`unknown audit query parameter "${name}" (use ${AUDIT_QUERY.join(', ')})`);
    if (value.length > 1000) throw new ValidationError(`${name} is too long`);
    query[name] = name === 'limit' ? Number(value) : value;
  }
  return query;
}

/**
 * The resource registry: every resource and resource template Conclave
 * serves, each listed to the endpoints in its `availableTo`. A read model
 * that a tool also serves is read through that tool (via-tool.ts), so it is
 * tenant-scoped and role-checked exactly as the tool is. Add new entries here.
 */
export const RESOURCES: readonly ResourceDefinition[] = [
  approvalCardResource,
  defineResource({
    name: 'org-chart',
    uri: 'conclave://org-chart',
    title: 'Org chart',
    description: "Your organization's chart: every role's title, reports-to, authority (USD), mandate and autopilot setting, with the chart's revision.",
    mimeType: JSON_TYPE,
    availableTo: ENDPOINTS,
    read: async (_v, { deps, actor }) => {
      const [{ chart, revision }, autopilot] = await Promise.all([loadTenantChart(deps, actor.tenantId), getAutopilot(deps, actor.tenantId)]);
      const byRole = new Map(autopilot.roles.map((r) => [r.role, r]));
      return {
        roles: AGENT_ROLES.map((r) => ({ ...chart[r], autopilot: byRole.get(r) })),
        top: 'board',
        revision,
        board_autopilot: 'never: the board is people',
        autopilot: autopilot.tenant,
      };
    },
  }),
  defineResource({
    name: 'agents',
    uri: 'conclave://agents',
    title: 'Agents',
    description: "The tenant's agents with their health.",
    mimeType: JSON_TYPE,
    availableTo: ENDPOINTS,
    read: async (_v, { deps, actor }) => ({ agents: await listAgents(deps, actor.tenantId) }),
  }),
  defineResource({
    name: 'inbox',
    uri: 'conclave://inbox',
    title: 'Inbox',
    description: "Your role's inbox: the 50 newest messages, unread first in importance (as read_inbox; reading does not mark them read).",
    mimeType: JSON_TYPE,
    availableTo: readInboxTool.availableTo,
    read: (_v, ctx) => viaTool(readInboxTool, { unread_only: false, limit: 50 }, ctx),
  }),
  defineResource({
    name: 'tasks',
    uri: 'conclave://tasks',
    title: 'Open tasks',
    description: 'The tasks waiting for your role (approvals and work from workflows), as my_tasks { status: "open" }.',
    mimeType: JSON_TYPE,
    availableTo: myTasksTool.availableTo,
    read: (_v, ctx) => viaTool(myTasksTool, { status: 'open', limit: 100 }, ctx),
  }),
  defineResource({
    name: 'audit',
    uri: 'conclave://audit/{date}',
    title: 'Audit trail (one UTC day)',
    description:
      'The audit trail of one UTC day (YYYY-MM-DD or "today"), newest first, with next_cursor. Query parameters filter and page: ' +
      `?${AUDIT_QUERY.map((q) => `${q}=`).join('&')} (as the audit_log tool).`,
    mimeType: JSON_TYPE,
    availableTo: ['board', 'ceo'],
    read: async (_v, { deps, actor }, uri) => {
      const date = uri.pathname.replace(/^\//, '');
      const parsed = auditLogTool.input.safeParse({ ...auditQuery(uri), from: date, to: date });
      if (!parsed.success) throw new ValidationError(`invalid audit query: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ')}`);
      const { cursor, object_id: objectId, ...filters } = parsed.data;
      return listAuditLog(deps, actor.tenantId, { ...filters, ...(cursor ? { cursor } : {}), ...(objectId ? { objectId } : {}) });
    },
    list: async () => ({ resources: [{ uri: 'conclave://audit/today', name: 'audit today', title: 'Audit trail (today)' }] }),
  }),
  defineResource({
    name: 'decision',
    uri: 'conclave://decisions/{id}',
    title: 'Decision',
    description: 'One decision with its votes, escalations, status and outcome (as get_decision). The id completes from a prefix.',
    mimeType: JSON_TYPE,
    availableTo: getDecisionTool.availableTo,
    complete: { id: 'decision_id' },
    read: ({ id }, ctx) => viaTool(getDecisionTool, { decision_id: id }, ctx),
    list: async (ctx, limit, cursor) => {
      const page = await viaTool(listDecisionsTool, { limit, ...(cursor ? { cursor } : {}) }, ctx);
      return {
        resources: page.decisions.map((d) => ({ uri: `conclave://decisions/${enc(d.decision_id)}`, name: `decision ${d.decision_id}`, title: `${d.decision_type} (${d.status})` })),
        ...(page.next_cursor ? { next: page.next_cursor } : {}),
      };
    },
  }),
  defineResource({
    name: 'run',
    uri: 'conclave://runs/{id}',
    title: 'Workflow run',
    description: 'One workflow run: status, stages, open tasks and history (as workflow_status). The id completes from a prefix.',
    mimeType: JSON_TYPE,
    availableTo: workflowStatusTool.availableTo,
    complete: { id: 'run_id' },
    read: ({ id }, ctx) => viaTool(workflowStatusTool, { run_id: id }, ctx),
    list: async (ctx, limit, cursor) => {
      const page = await viaTool(listWorkflowRunsTool, { limit, ...(cursor ? { cursor } : {}) }, ctx);
      return {
        resources: page.runs.map((r) => ({ uri: `conclave://runs/${enc(r.run_id)}`, name: `run ${r.run_id}`, title: `${r.workflow}: ${r.title} (${r.status})` })),
        ...(page.next_cursor ? { next: page.next_cursor } : {}),
      };
    },
  }),
  defineResource({
    name: 'memory',
    uri: 'conclave://memories/{key}',
    title: 'Memory',
    description: 'One organizational memory by key (as get_memory). The key completes from a prefix.',
    mimeType: JSON_TYPE,
    availableTo: getMemoryTool.availableTo,
    complete: { key: 'memory_key' },
    read: ({ key }, ctx) => viaTool(getMemoryTool, { key }, ctx),
    list: async (ctx, limit, cursor) => {
      const page = await viaTool(listMemoriesTool, { limit, ...(cursor ? { cursor } : {}) }, ctx);
      return {
        resources: page.memories.map((m) => ({ uri: `conclave://memories/${enc(m.key)}`, name: `memory ${m.key}` })),
        ...(page.next_cursor ? { next: page.next_cursor } : {}),
      };
    },
  }),
];

/** The resources and templates an endpoint lists and may read. */
export function resourcesFor(endpoint: EndpointId): ResourceDefinition[] {
  return RESOURCES.filter((resource) => resource.availableTo.includes(endpoint));
}
