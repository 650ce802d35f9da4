import { BOARD, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { getDecision, listDecisions } from '../decisions/decisions.js';
import { CLOSED, type Decision } from '../decisions/model.js';
import { searchMemories, type SearchHit } from '../memory/search-memories.js';
import { loadChart } from '../org/authority.js';
import { escalationChain, type OrgChart } from '../org/chart.js';
import type { RunStatusView, TaskView } from '../workflows/model.js';
import { getRunStatus, listRuns } from '../workflows/run-views.js';
import { listMyTasks } from '../workflows/tasks.js';

/**
 * Read models of the console's "what awaits me" (and of the MCP Apps
 * approval card): what a principal acting as one endpoint must rule on, and
 * the full context of one decision. Reads only; a ruling goes through the
 * decision use case (ruleOnDecision) like the `rule_on_decision` tool.
 */

/** How many decisions and tasks one queue shows. */
export const QUEUE_LIMIT = 50;

export interface AwaitingQueue {
  /** Open decisions whose next ruling is the viewer's (escalations, hierarchical and human decisions). */
  readonly decisions: Decision[];
  /** The viewer's open tasks that are not about one of those decisions (those are shown on the decision). */
  readonly tasks: TaskView[];
}

/** What awaits `viewer` in a tenant, newest first. */
export async function whatAwaits(deps: Deps, input: { tenantId: string; viewer: EndpointId }): Promise<AwaitingQueue> {
  const [listed, tasks] = await Promise.all([
    listDecisions(deps, { tenantId: input.tenantId, awaiting: input.viewer, limit: QUEUE_LIMIT }),
    listMyTasks(deps, { tenantId: input.tenantId, assignee: input.viewer, status: 'open', limit: QUEUE_LIMIT }),
  ]);
  const decisions = listed.decisions.filter((d) => !CLOSED.includes(d.status));
  const shown = new Set(decisions.map((d) => d.decision_id));
  return { decisions, tasks: tasks.filter((t) => t.decision_id === null || !shown.has(t.decision_id)) };
}

/** One link of a decision's chain of authority, from its initiator up to the board. */
export interface ChainLink {
  readonly role: EndpointId;
  readonly title: string;
  /** The role's own limit (USD); null for the board, whose authority has no limit. */
  readonly authority_usd: number | null;
  /** Whether the role may approve the decision's amount alone; null when the decision carries no amount. */
  readonly covers_amount: boolean | null;
  /** `initiator`; `passed` (the decision came through it); `awaiting` (its ruling is next); `above` (not reached). */
  readonly position: 'initiator' | 'passed' | 'awaiting' | 'above';
}

export interface DecisionContext {
  readonly decision: Decision;
  readonly chain: ChainLink[];
  /** The workflow run the decision came from or is handled by (its stage timeline), if any. */
  readonly run: RunStatusView | null;
  /** The viewer's open task about this decision, if a workflow opened one. */
  readonly task: TaskView | null;
  /** Memories of the tenant closest to the decision's type and context. */
  readonly memories: SearchHit[];
  /** Whether the viewer is the one whose ruling is awaited now. */
  readonly awaits_viewer: boolean;
}

/** How many related memories a decision shows. */
const RELATED_MEMORIES = 3;
/** How many of the newest runs are searched for the one about a decision. */
const RUNS_SEARCHED = 100;

/** A decision with everything needed to rule on it; NotFoundError outside the tenant. */
export async function decisionContext(deps: Deps, input: { tenantId: string; decisionId: string; viewer: EndpointId }): Promise<DecisionContext> {
  const decision = await getDecision(deps, input.tenantId, input.decisionId);
  const [chart, runs, tasks, memories] = await Promise.all([
    loadChart(deps, input.tenantId),
    listRuns(deps, { tenantId: input.tenantId, limit: RUNS_SEARCHED }),
    listMyTasks(deps, { tenantId: input.tenantId, assignee: input.viewer, status: 'open', limit: QUEUE_LIMIT }),
    relatedMemories(deps, input.tenantId, decision),
  ]);
  const about = runs.runs.filter((r) => r.decision_id === decision.decision_id);
  // The newest run about the decision is the current hop (an escalation run per hop); fall back to the first.
  const runView = about[0] ?? null;
  const run = runView ? await getRunStatus(deps, input.tenantId, runView.run_id) : null;
  const chain = chainOf(chart, decision);
  return {
    decision,
    chain,
    run,
    task: tasks.find((t) => t.decision_id === decision.decision_id) ?? null,
    memories,
    awaits_viewer: decision.awaiting === input.viewer && !CLOSED.includes(decision.status),
  };
}

/** A decision's chain of authority: its initiator, then each superior up to the board, with each one's limit against the amount. */
export function chainOf(chart: OrgChart, decision: Decision): ChainLink[] {
  const initiator = decision.initiator as RoleId;
  const passed = new Set<EndpointId>(decision.escalations.map((e) => e.from));
  const amount = decision.amount;
  return [initiator, ...escalationChain(chart, initiator)].map((role): ChainLink => {
    const authority = role === BOARD ? null : chart[role].authorityUsd;
    return {
      role,
      title: role === BOARD ? 'The board' : chart[role].title,
      authority_usd: authority,
      covers_amount: amount === null ? null : authority === null || authority >= amount,
      position: role === initiator ? 'initiator' : decision.awaiting === role ? 'awaiting' : passed.has(role) ? 'passed' : 'above',
    };
  });
}

/** The queue with each decision's chain (the MCP Apps card and `board_queue`). */
export async function queueWithChains(deps: Deps, input: { tenantId: string; viewer: EndpointId }): Promise<{ decisions: (Decision & { chain: ChainLink[] })[]; tasks: TaskView[] }> {
  const [queue, chart] = await Promise.all([whatAwaits(deps, input), loadChart(deps, input.tenantId)]);
  return { decisions: queue.decisions.map((d) => ({ ...d, chain: chainOf(chart, d) })), tasks: queue.tasks };
}

/** Related memories by meaning and words; a failing search leaves the list empty rather than hiding the decision. */
async function relatedMemories(deps: Deps, tenantId: string, decision: Decision): Promise<SearchHit[]> {
  try {
    const query = `${decision.decision_type.replace(/_/g, ' ')} ${decision.context}`.slice(0, 2000);
    return (await searchMemories(deps, { tenantId, query, limit: RELATED_MEMORIES, minScore: 0.2 })).results;
  } catch (error) {
    deps.log.warn('related memories unavailable', { decision_id: decision.decision_id, error: String(error) });
    return [];
  }
}
