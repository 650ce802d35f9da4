import { ENDPOINTS, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import { listAgents } from '../agents/agents.js';
import type { Deps } from '../context.js';
import { listDecisions } from '../decisions/decisions.js';
import type { Decision } from '../decisions/model.js';
import { keys } from '../keys.js';
import { incidentCodec } from '../operations/incident-record.js';
import { runCodec, taskCodec } from '../workflows/records.js';

/** The signals organizational health is computed from. */
export const HEALTH_METRICS = ['agents', 'decisions', 'tasks', 'workflows', 'incidents'] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];

const HOUR = 3_600_000;
/** An open decision older than this is "pending too long". */
export const DECISION_PENDING_LIMIT_MS = 24 * HOUR;
/** Failed workflow runs are counted over this window. */
export const FAILED_RUN_WINDOW_MS = 7 * 24 * HOUR;

/**
 * The scoring rule. Each signal costs `per` points per finding (incidents: by
 * severity), capped at `cap`; health_score = max(0, 100 − Σ penalties),
 * rounded to an integer. Only the requested signals count.
 */
export const HEALTH_WEIGHTS = {
  agents: { per: 5, cap: 30 },
  decisions: { per: 4, cap: 20 },
  tasks: { per: 3, cap: 20 },
  workflows: { per: 5, cap: 15 },
  incidents: { cap: 35 },
} as const;
/** Points per open incident by severity (1 is the worst); an unknown severity counts as 4. */
export const INCIDENT_SEVERITY_POINTS: Readonly<Record<1 | 2 | 3 | 4, number>> = { 1: 20, 2: 10, 3: 4, 4: 2 };

/** What was found, per signal. Absent signals were not requested. */
export interface HealthFindings {
  readonly agents?: { readonly stale: RoleId[]; readonly error: RoleId[] };
  readonly decisions?: { readonly overdue: { decision_id: string; status: string; awaiting: string | null; age_hours: number }[] };
  readonly tasks?: { readonly overdue: { task_id: string; assignee: EndpointId; due_at: string; title: string }[] };
  readonly workflows?: { readonly failed: { run_id: string; workflow: string; status: string }[] };
  readonly incidents?: { readonly open: { incident_id: string; severity: 1 | 2 | 3 | 4; title: string }[] };
}

export interface HealthSignal {
  readonly metric: HealthMetric;
  /** How many findings (stale/error agents, overdue decisions, overdue tasks, failed runs, open incidents). */
  readonly count: number;
  readonly penalty: number;
  readonly max_penalty: number;
  /** The findings, one line each (ids, roles, ages). */
  readonly details: string[];
}

export interface HealthReport {
  readonly health_score: number;
  /** healthy ≥ 80 > degraded ≥ 50 > critical. */
  readonly status: 'healthy' | 'degraded' | 'critical';
  readonly issues: string[];
  readonly recommendations: string[];
  readonly signals: HealthSignal[];
  readonly computed_at: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Scores findings (pure and deterministic):
 *   agents    5 per stale or error agent,                cap 30
 *   decisions 4 per open decision older than 24 h,       cap 20
 *   tasks     3 per open task past its due date,         cap 20
 *   workflows 5 per failed/timed-out run in the last 7 d, cap 15
 *   incidents 20/10/4/2 per open severity 1/2/3/4 incident, cap 35
 *   health_score = max(0, round(100 − Σ penalties))
 */
export function scoreOrganizationalHealth(findings: HealthFindings, computedAt: string): HealthReport {
  const signals: HealthSignal[] = [];
  const issues: string[] = [];
  const recommendations: string[] = [];
  const add = (metric: HealthMetric, count: number, raw: number, cap: number, details: string[]) =>
    signals.push({ metric, count, penalty: Math.min(cap, raw), max_penalty: cap, details });

  if (findings.agents) {
    const { stale, error } = findings.agents;
    const w = HEALTH_WEIGHTS.agents;
    add('agents', stale.length + error.length, w.per * (stale.length + error.length), w.cap, [...stale.map((r) => `${r}: stale`), ...error.map((r) => `${r}: error`)]);
    if (stale.length) {
      issues.push(`${plural(stale.length, 'agent')} stale (no recent heartbeat): ${stale.join(', ')}`);
      recommendations.push(`Restart or reconnect the stale agents (${stale.join(', ')}) and have them call heartbeat regularly.`);
    }
    if (error.length) {
      issues.push(`${plural(error.length, 'agent')} reporting an error: ${error.join(', ')}`);
      recommendations.push(`Ask the operations head to unblock ${error.join(', ')}.`);
    }
  }
  if (findings.decisions) {
    const { overdue } = findings.decisions;
    const w = HEALTH_WEIGHTS.decisions;
    add('decisions', overdue.length, w.per * overdue.length, w.cap, overdue.map((d) => `${d.decision_id}: ${d.status}${d.awaiting ? ` awaiting ${d.awaiting}` : ''} for ${d.age_hours} h`));
    if (overdue.length) {
      const waiting = [...new Set(overdue.map((d) => d.awaiting ?? 'voters'))];
      issues.push(`${plural(overdue.length, 'decision')} open for more than 24 h (waiting on ${waiting.join(', ')})`);
      recommendations.push(`Chase the pending decisions: ask ${waiting.join(', ')} to rule or vote, or escalate_to_board those that block work.`);
    }
  }
  if (findings.tasks) {
    const { overdue } = findings.tasks;
    const w = HEALTH_WEIGHTS.tasks;
    add('tasks', overdue.length, w.per * overdue.length, w.cap, overdue.map((t) => `${t.task_id} (${t.assignee}): due ${t.due_at}${t.title ? ` — ${t.title}` : ''}`));
    if (overdue.length) {
      const owners = [...new Set(overdue.map((t) => t.assignee))];
      issues.push(`${plural(overdue.length, 'task')} overdue (${owners.join(', ')})`);
      recommendations.push(`Rebalance or reprioritize the overdue work of ${owners.join(', ')}.`);
    }
  }
  if (findings.workflows) {
    const { failed } = findings.workflows;
    const w = HEALTH_WEIGHTS.workflows;
    add('workflows', failed.length, w.per * failed.length, w.cap, failed.map((r) => `${r.run_id} (${r.workflow}): ${r.status}`));
    if (failed.length) {
      const kinds = [...new Set(failed.map((r) => r.workflow))];
      issues.push(`${plural(failed.length, 'workflow run')} failed or timed out in the last 7 days (${kinds.join(', ')})`);
      recommendations.push(`Review the failed ${kinds.join(', ')} runs with the CTO and restart them once the cause is fixed.`);
    }
  }
  if (findings.incidents) {
    const { open } = findings.incidents;
    const w = HEALTH_WEIGHTS.incidents;
    const raw = open.reduce((sum, i) => sum + INCIDENT_SEVERITY_POINTS[i.severity], 0);
    add('incidents', open.length, raw, w.cap, open.map((i) => `${i.incident_id}: severity ${i.severity}${i.title ? ` — ${i.title}` : ''}`));
    if (open.length) {
      const worst = Math.min(...open.map((i) => i.severity));
      issues.push(`${plural(open.length, 'open incident')} (worst severity ${worst})`);
      recommendations.push(
        worst === 1
          ? 'A severity-1 incident is open: hold deployments and have the operations head report on it to the leadership now.'
          : 'Have the operations head drive the open incidents to resolution and store their postmortems.',
      );
    }
  }
  const health_score = Math.max(0, Math.round(100 - signals.reduce((sum, s) => sum + s.penalty, 0)));
  if (issues.length === 0) recommendations.push('No issues found in the reviewed signals: keep the current cadence.');
  return {
    health_score,
    status: health_score >= 80 ? 'healthy' : health_score >= 50 ? 'degraded' : 'critical',
    issues,
    recommendations,
    signals,
    computed_at: computedAt,
  };
}

/**
 * Reviews the tenant's organizational health from live data: agents (stale
 * or error, from the registry), decisions open (pending or escalated) for more
 * than 24 h, open tasks past `due_at` in every task list, workflow runs
 * started in the last 7 days with status failed or timed_out, and open
 * incidents by severity. `metrics` restricts the signals read and scored.
 */
export async function reviewOrganizationalHealth(deps: Deps, input: { tenantId: string; metrics?: readonly HealthMetric[] }): Promise<HealthReport> {
  const wanted = new Set<HealthMetric>(input.metrics && input.metrics.length > 0 ? input.metrics : HEALTH_METRICS);
  const now = deps.clock.now();
  const [agents, decisions, tasks, workflows, incidents] = await Promise.all([
    wanted.has('agents') ? agentFindings(deps, input.tenantId) : undefined,
    wanted.has('decisions') ? decisionFindings(deps, input.tenantId, now) : undefined,
    wanted.has('tasks') ? taskFindings(deps, input.tenantId, now) : undefined,
    wanted.has('workflows') ? workflowFindings(deps, input.tenantId, now) : undefined,
    wanted.has('incidents') ? incidentFindings(deps, input.tenantId) : undefined,
  ]);
  return scoreOrganizationalHealth(
    { ...(agents ? { agents } : {}), ...(decisions ? { decisions } : {}), ...(tasks ? { tasks } : {}), ...(workflows ? { workflows } : {}), ...(incidents ? { incidents } : {}) },
    new Date(now).toISOString(),
  );
}

async function agentFindings(deps: Deps, tenantId: string): Promise<NonNullable<HealthFindings['agents']>> {
  const agents = await listAgents(deps, tenantId);
  return { stale: agents.filter((a) => a.status === 'stale').map((a) => a.role), error: agents.filter((a) => a.status === 'error').map((a) => a.role) };
}

async function decisionFindings(deps: Deps, tenantId: string, now: number): Promise<NonNullable<HealthFindings['decisions']>> {
  const open: Decision[] = [];
  for (const status of ['pending', 'escalated'] as const) {
    let cursor: string | undefined;
    // Bounded: at most 1,000 open decisions of each status are reviewed.
    for (let page = 0; page < 20; page++) {
      const result = await listDecisions(deps, { tenantId, status, limit: 50, ...(cursor ? { cursor } : {}) });
      open.push(...result.decisions);
      if (!result.next_cursor) break;
      cursor = result.next_cursor;
    }
  }
  return {
    overdue: open
      .filter((d) => now - Date.parse(d.created_at) > DECISION_PENDING_LIMIT_MS)
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
      .map((d) => ({ decision_id: d.decision_id, status: d.status, awaiting: d.awaiting, age_hours: Math.floor((now - Date.parse(d.created_at)) / HOUR) })),
  };
}

async function taskFindings(deps: Deps, tenantId: string, now: number): Promise<NonNullable<HealthFindings['tasks']>> {
  const lists = await Promise.all(ENDPOINTS.map(async (assignee) => ({ assignee, items: await readAll(deps, { pk: keys.tasks(tenantId, assignee), skPrefix: 'TASK#' }) })));
  return {
    overdue: lists.flatMap(({ assignee, items }) =>
      items
        .map((i) => taskCodec.decode(i))
        .flatMap((t) => (t.status === 'open' && t.due_at !== null && Date.parse(t.due_at) < now ? [{ task_id: t.task_id, assignee, due_at: t.due_at, title: t.title }] : [])),
    ),
  };
}

async function workflowFindings(deps: Deps, tenantId: string, now: number): Promise<NonNullable<HealthFindings['workflows']>> {
  // Runs are indexed by start time (`<started>#<id>`): read the window only.
  const since = new Date(now - FAILED_RUN_WINDOW_MS).toISOString();
  const runs = await readAll(deps, { pk: keys.runs(tenantId), index: 'gsi1', skBetween: [since, '\uffff'] });
  return {
    failed: runs
      .map((i) => runCodec.decode(i))
      .filter((r) => r.status === 'failed' || r.status === 'timed_out')
      .map((r) => ({ run_id: r.run_id, workflow: r.workflow, status: r.status })),
  };
}

async function incidentFindings(deps: Deps, tenantId: string): Promise<NonNullable<HealthFindings['incidents']>> {
  const items = await readAll(deps, { pk: keys.recordIndex(tenantId, 'INCIDENT'), index: 'gsi1' });
  return {
    open: items
      .map((i) => incidentCodec.decode(i))
      .filter((i) => i.status === 'open')
      .map((i) => ({ incident_id: i.incident_id, severity: i.severity, title: i.title }))
      .sort((a, b) => a.severity - b.severity),
  };
}

/** Severity 1–4 from a number or a string such as "1" or "sev1"; anything else counts as 4. */
export function severityOf(value: unknown): 1 | 2 | 3 | 4 {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').replace(/^sev/i, ''));
  return n === 1 || n === 2 || n === 3 ? n : 4;
}

/** Reads a whole item collection (bounded at 2,000 items). */
async function readAll(deps: Deps, query: { pk: string; index?: 'gsi1'; skPrefix?: string; skBetween?: readonly [string, string] }): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({ ...query, limit: 200, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < 2000);
  return items;
}
