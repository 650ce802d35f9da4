import type { DynamoDBClient} from '@aws-sdk/client-dynamodb';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../functions/contracts/rate-limits.js';
import type { EndpointId } from '../../functions/contracts/roles.js';
import { embeddingText } from '../../functions/core/memory/model.js';
import { modelTag } from '../../functions/core/memory/search-index.js';
import { allTools } from '../../functions/mcp/tools/index.js';
import { LOCAL_TABLE, startLocal } from '../../functions/runtime/local.js';
import { issueKey, memoryLog, modernClient } from '../helpers/conclave.js';
import { hashingEmbedder } from '../helpers/embedders.js';

/** Every tool Conclave serves (the roles' own load on demand). */
const TOOLS = await allTools();

/**
 * Tenant isolation, tool by tool: tenant A seeds its data through its own
 * tools; then a key of tenant B calls EVERY tool in the registry — with A's
 * ids, keys, departments and releases wherever a tool takes them — and must
 * not read, list, change or infer anything of A's:
 *
 * - a call naming A's id answers exactly as for an id that never existed
 *   (same outcome, same message), so B cannot even tell A's ids exist;
 * - listings, searches and computed views show B's own data only, and no
 *   response carries A's content or ids;
 * - A's state never decides B's outcome (A's open sev-1 incident does not
 *   block B's change window or deployment; A's budget is not B's budget);
 * - A's items in the table are byte-for-byte the same afterwards.
 *
 * A tool without an entry fails the test: a new tool must say how it keeps
 * tenants apart.
 */
const MARK = `tenant-a-secret-${randomBytes(4).toString('hex')}`;
const GOOD_RESULTS = { tests_total: 500, tests_passed: 495, coverage_pct: 86, critical_defects: 0, major_defects: 1 };
const HOUR = 3_600_000;

interface Result {
  isError?: boolean;
  content?: unknown;
  structuredContent?: Record<string, unknown>;
}

/** What tenant A created, by the tools that created it. */
interface SeedA {
  message: string;
  thread: string;
  broadcast: string;
  decisionApproved: string;
  decisionPending: string;
  decisionEscalated: string;
  hireDecision: string;
  hire: string;
  feature: string;
  request: string;
  design: string;
  spec: string;
  uxSpec: string;
  plan: string;
  testPlan: string;
  gate: string;
  defect: string;
  deployment: string;
  incident: string;
  window: string;
  review: string;
  codeReview: string;
  allocation: string;
  run: string;
  task: string;
}

interface Ctx {
  readonly a: SeedA;
  /** Calls a tool as tenant B. */
  b(endpoint: EndpointId, tool: string, args: Record<string, unknown>): Promise<Result>;
  /** Asserts a response carries none of A's content and none of A's ids (but those B sent itself). */
  leakFree(result: Result, sent?: readonly string[]): void;
  /**
   * Calls a tool with A's values and again with never-existing look-alikes
   * (`value` maps a SeedA field name, or a literal such as a memory key), and
   * asserts the two answers are the same (ids aside); with `code`, that both are that tool error.
   */
  likeMissing(endpoint: EndpointId, tool: string, args: (value: (real: string) => string) => Record<string, unknown>, code?: string): Promise<void>;
  /** Asks the server's vector store itself, as tenant B (or a crafted tenant id), for the nearest neighbours of A's memory's own vector. */
  nearestToA(asTenant: string): Promise<string[]>;
}

interface Entry {
  readonly phase: 'read' | 'write';
  readonly how: string;
  run(ctx: Ctx): Promise<void>;
}

const ok = (r: Result): Record<string, unknown> => {
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  return r.structuredContent ?? {};
};
const window = (hours: number) => {
  const start = Date.now() + 2 * HOUR;
  return { start: new Date(start).toISOString(), end: new Date(start + hours * HOUR).toISOString() };
};

/**
 * The matrix: one entry per registry tool. Read entries run first (B has no
 * data of its own yet, so every listing must be empty); write entries run
 * after, in this order.
 */
const MATRIX: Record<string, Entry> = {
  // --- agents, messaging ---
  list_agents: {
    phase: 'read',
    how: "B's agents only: A's cto heartbeat and capabilities are invisible",
    run: async ({ b, leakFree }) => {
      const r = await b('ceo', 'list_agents', {});
      leakFree(r);
      expect((ok(r).agents as { role: string; capabilities: string[]; status: string }[]).find((x) => x.role === 'cto')).toMatchObject({ status: 'stale', capabilities: [] });
    },
  },
  read_inbox: {
    phase: 'read',
    how: "B's inbox is empty though A's cto has unread mail",
    run: async ({ b, leakFree }) => {
      for (const args of [{}, { unread_only: true, limit: 50 }]) {
        const r = await b('cto', 'read_inbox', args);
        leakFree(r);
        expect(ok(r).threads).toEqual([]);
      }
    },
  },
  mark_read: {
    phase: 'write',
    how: "A's message ids behave as unknown ids",
    run: ({ likeMissing }) => likeMissing('cto', 'mark_read', (v) => ({ message_ids: [v('message'), v('broadcast')] })),
  },
  reply: {
    phase: 'write',
    how: "replying to A's message is not_found, like an unknown id",
    run: ({ likeMissing }) => likeMissing('cto', 'reply', (v) => ({ message_id: v('message'), content: 'b reply' }), 'not_found'),
  },
  send_message: {
    phase: 'write',
    how: "naming A's thread id starts B's own thread; A's thread is untouched",
    run: async ({ a, b, leakFree }) => {
      const r = await b('ceo', 'send_message', { to: 'cto', subject: 'b subject', content: 'b content', thread_id: a.thread });
      leakFree(r, [a.thread]);
      ok(r);
    },
  },
  broadcast: {
    phase: 'write',
    how: "reaches B's leadership only",
    run: async ({ b, leakFree }) => leakFree(await b('ceo', 'broadcast', { channel: 'leadership', subject: 'b news', content: 'b news' })),
  },
  heartbeat: {
    phase: 'write',
    how: "updates B's cto only",
    run: async ({ b, leakFree }) => {
      const r = await b('cto', 'heartbeat', { status: 'error', capabilities: ['b-capability'] });
      leakFree(r);
      expect(ok(r)).toMatchObject({ role: 'cto', capabilities: ['b-capability'] });
    },
  },
  // --- decisions ---
  get_decision: {
    phase: 'read',
    how: "every A decision id (approved, pending, escalated, a hire's) is not_found, like an unknown id",
    run: async ({ likeMissing }) => {
      for (const id of ['decisionApproved', 'decisionPending', 'decisionEscalated', 'hireDecision'] as const) await likeMissing('ceo', 'get_decision', (v) => ({ decision_id: v(id) }), 'not_found');
    },
  },
  list_decisions: {
    phase: 'read',
    how: "lists nothing: not A's decisions, not the one awaiting the board",
    run: async ({ b, leakFree }) => {
      for (const [endpoint, args] of [
        ['board', { awaiting_me: true }],
        ['board', {}],
        ['cto', { status: 'pending' }],
        ['ceo', { status: 'approved', limit: 50 }],
      ] as const) {
        const r = await b(endpoint, 'list_decisions', args);
        leakFree(r);
        expect(ok(r).decisions).toEqual([]);
      }
    },
  },
  board_queue: {
    phase: 'read',
    how: "B's board queue is empty: not A's escalated decision, not A's board tasks",
    run: async ({ b, leakFree }) => {
      const r = await b('board', 'board_queue', {});
      leakFree(r);
      expect(ok(r)).toMatchObject({ decisions: [], tasks: [] });
    },
  },
  vote: {
    phase: 'write',
    how: "voting on A's pending decision is not_found, like an unknown id",
    run: ({ likeMissing }) => likeMissing('ceo', 'vote', (v) => ({ decision_id: v('decisionPending'), vote: 'reject', confidence: 1, rationale: 'b' }), 'not_found'),
  },
  rule_on_decision: {
    phase: 'write',
    how: "B's board cannot rule on A's escalated decision",
    run: ({ likeMissing }) => likeMissing('board', 'rule_on_decision', (v) => ({ decision_id: v('decisionEscalated'), ruling: 'approve', rationale: 'b board' }), 'not_found'),
  },
  propose_decision: {
    phase: 'write',
    how: "creates B's own decision",
    run: async ({ b, leakFree }) => leakFree(await b('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: 'b context', amount: 10 })),
  },
  escalate_to_board: {
    phase: 'write',
    how: "escalating A's decisions is not_found, like an unknown id",
    run: async ({ likeMissing }) => {
      for (const id of ['decisionPending', 'decisionApproved'] as const) await likeMissing('ceo', 'escalate_to_board', (v) => ({ decision_id: v(id), urgency: 'high', reason: 'b' }), 'not_found');
    },
  },
  // --- memory ---
  search_memories: {
    phase: 'read',
    how: "A's memory does not match, even searched by its exact content and tag",
    run: async ({ b, leakFree, nearestToA }) => {
      // Queries shaped like vector-store filters are text like any other.
      for (const args of [{ query: MARK }, { query: MARK, tags: ['a-tag'] }, { query: '{"tenant":{"$ne":"tenant-b"}}' }, { query: `{"$or":[{"tenant":"tenant-a"}]} ${MARK}` }]) {
        const r = await b('cto', 'search_memories', args);
        leakFree(r, [String(args.query)]);
        expect(JSON.stringify(ok(r))).not.toContain('a-secret-key');
      }
      // Through the vector store directly: A's own vector, asked for as B or as crafted tenant ids, finds nothing of A's.
      for (const tenant of ['tenant-b', 'tenant-a ', 'tenant-', '{"$ne":"x"}', '*']) expect(await nearestToA(tenant), tenant).toEqual([]);
      // (The same probe as A does find it: the probe is not vacuous.)
      // (A's decisions, designs, specs and incidents are memories of A's too: A's own key is among them.)
      expect(await nearestToA('tenant-a')).toContain('a-secret-key');
    },
  },
  get_memory: {
    phase: 'read',
    how: "A's memory key is not_found, like an unknown key",
    run: ({ likeMissing }) => likeMissing('cto', 'get_memory', (v) => ({ key: v('a-secret-key') }), 'not_found'),
  },
  list_memories: {
    phase: 'read',
    how: "lists nothing, by tag or author either",
    run: async ({ b, leakFree }) => {
      for (const args of [{}, { tag: 'a-tag' }, { author: 'cto' }]) {
        const r = await b('cto', 'list_memories', args);
        leakFree(r);
        expect(ok(r).memories).toEqual([]);
      }
    },
  },
  forget_memory: {
    phase: 'write',
    how: "forgetting A's key answers as for an unknown key and A's memory stays",
    run: ({ likeMissing }) => likeMissing('cto', 'forget_memory', (v) => ({ key: v('a-secret-key') })),
  },
  store_memory: {
    phase: 'write',
    how: "the same key creates B's own memory (created, not an update of A's)",
    run: async ({ b, leakFree }) => {
      const r = await b('cto', 'store_memory', { key: 'a-secret-key', content: 'b memory', tags: ['a-tag'] });
      leakFree(r);
      expect(ok(r)).toMatchObject({ created: true, memory: { content: 'b memory' } });
    },
  },
  memory_history: {
    phase: 'read',
    how: "A's memory key (which has two versions) is not_found, like an unknown key, for its history and its versions",
    run: async ({ likeMissing }) => {
      await likeMissing('cto', 'memory_history', (v) => ({ key: v('a-secret-key') }), 'not_found');
      await likeMissing('cto', 'get_memory', (v) => ({ key: v('a-secret-key'), version: 1 }), 'not_found');
    },
  },
  restore_memory: {
    phase: 'write',
    how: "restoring A's key is not_found, like an unknown key, and A's memory stays",
    run: ({ likeMissing }) => likeMissing('cto', 'restore_memory', (v) => ({ key: v('a-secret-key'), version: 1 }), 'not_found'),
  },
  // --- records: audit and org chart ---
  audit_log: {
    phase: 'read',
    how: "B's trail holds B's own calls only, filtered or not",
    run: async ({ b, leakFree }) => {
      for (const [endpoint, args] of [
        ['board', {}],
        ['ceo', { action: 'store_memory' }],
        ['board', { role: 'cto', limit: 200 }],
        ['board', { object_id: 'cto' }],
      ] as const) {
        const r = await b(endpoint, 'audit_log', args);
        leakFree(r);
        expect(JSON.stringify(r)).not.toContain('tenant-a');
        for (const e of ok(r).entries as { action: string }[]) expect(e.action).not.toBe('tool:store_memory');
      }
    },
  },
  set_authority: {
    phase: 'write',
    how: "changes B's chart only (A's CTO keeps its limit)",
    run: async ({ b, leakFree }) => {
      const r = await b('board', 'set_authority', { role: 'cto', limit: 1 });
      leakFree(r);
      expect(ok(r)).toMatchObject({ previous: 500_000, value: 1, revision: 1 });
    },
  },
  set_reports_to: {
    phase: 'write',
    how: "changes B's chart only",
    run: async ({ b, leakFree }) => {
      const r = await b('board', 'set_reports_to', { role: 'test_lead', reports_to: 'senior_architect' });
      leakFree(r);
      expect(ok(r)).toMatchObject({ previous: 'cto', value: 'senior_architect', revision: 2 });
    },
  },
  set_autopilot: {
    phase: 'write',
    how: "sets and shows B's autopilot only (A's CTO on autopilot, A's model and budget stay A's)",
    run: async ({ b, leakFree }) => {
      const r = await b('board', 'set_autopilot', { role: 'ceo', enabled: false });
      leakFree(r);
      expect(JSON.stringify(r)).not.toContain('tenant-a');
      const view = ok(r) as { tenant: { daily_token_budget: number; tokens_used_today: number }; roles: { role: string; enabled: boolean; max_steps: number }[] };
      expect(view.tenant).toMatchObject({ daily_token_budget: 500_000, tokens_used_today: 0 });
      expect(view.roles.find((x) => x.role === 'cto')).toMatchObject({ enabled: false, max_steps: 12 });
    },
  },
  // --- ceo ---
  list_budgets: {
    phase: 'read',
    how: "A's department budget is not listed",
    run: async ({ b, leakFree }) => {
      const r = await b('ceo', 'list_budgets', { period: '2027-Q1' });
      leakFree(r);
      expect(ok(r).budgets).toEqual([]);
    },
  },
  review_organizational_health: {
    phase: 'read',
    how: "counts B's organization only: A's open sev-1 incident and decisions do not show",
    run: async ({ b, leakFree }) => {
      const r = await b('ceo', 'review_organizational_health', {});
      leakFree(r);
      const signals = ok(r).signals as { metric: string; count: number }[];
      for (const metric of ['decisions', 'tasks', 'workflows', 'incidents']) expect(signals.find((x) => x.metric === metric), metric).toMatchObject({ count: 0 });
      expect(JSON.stringify(ok(r).issues)).not.toMatch(/incident|decision|task|workflow/i);
    },
  },
  set_budget: {
    phase: 'write',
    how: "A's decision id is not_found; the same department and period is B's own, fresh budget",
    run: async ({ b, leakFree, likeMissing }) => {
      // Above the CEO's authority, so the decision is looked up.
      await likeMissing('ceo', 'set_budget', (v) => ({ department: 'secretdept', period: '2027-Q1', ceiling: 2_500_000, decision_id: v('decisionEscalated') }), 'not_found');
      const r = await b('ceo', 'set_budget', { department: 'secretdept', period: '2027-Q1', ceiling: 500 });
      leakFree(r);
      expect(ok(r)).toMatchObject({ status: 'set', budget: { ceiling: 500, allocated_total: 0, allocations: 0 } });
    },
  },
  allocate_budget: {
    phase: 'write',
    how: "allocates against B's budget, never A's (A allocated 1,000 of 100,000)",
    run: async ({ b, leakFree, likeMissing }) => {
      await likeMissing('ceo', 'allocate_budget', (v) => ({ department: 'secretdept', period: '2027-Q1', amount: 1_000_000.01, justification: 'b', decision_id: v('decisionEscalated') }));
      const r = await b('ceo', 'allocate_budget', { department: 'secretdept', period: '2027-Q1', amount: 10, justification: 'b' });
      leakFree(r);
      expect(ok(r)).toMatchObject({ allocated: true, ceiling: 500, allocated_total: 10, remaining: 490 });
    },
  },
  approve_strategic_initiative: {
    phase: 'write',
    how: "decides within B's own authority",
    run: async ({ b, leakFree }) => leakFree(await b('ceo', 'approve_strategic_initiative', { initiative: 'b initiative', business_value: 'b', budget: 10 })),
  },
  // --- chro ---
  list_hires: {
    phase: 'read',
    how: "A's hire is not listed, by department or status either",
    run: async ({ b, leakFree }) => {
      for (const args of [{}, { department: 'secretdept' }, { status: 'approved' }]) {
        const r = await b('chro', 'list_hires', args);
        leakFree(r);
        expect(ok(r).hires).toEqual([]);
      }
    },
  },
  plan_headcount: {
    phase: 'read',
    how: "plans from B's inputs only; A's budget for the department does not enter",
    run: async ({ b, leakFree }) => {
      const r = await b('chro', 'plan_headcount', { department: 'secretdept', current_headcount: 3, planned_hires: 1, budget_per_hire: 10, period: '2027-Q1' });
      leakFree(r);
      expect(JSON.stringify(ok(r))).not.toMatch(/99,?000|100,?000/);
    },
  },
  assess_team_health: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) =>
      leakFree(await b('chro', 'assess_team_health', { team: 'secretdept', metrics: { attrition_rate: 0.1, engagement_score: 70, open_positions: 1, headcount: 10, overtime_hours_per_week: 2 } })),
  },
  approve_hire: {
    phase: 'write',
    how: "records B's own hire",
    run: async ({ b, leakFree }) => leakFree(await b('chro', 'approve_hire', { role_title: 'b role', department: 'secretdept', annual_cost: 10, justification: 'b' })),
  },
  // --- cto ---
  select_technology: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) =>
      leakFree(await b('cto', 'select_technology', { options: ['X', 'Y'], criteria: { speed: 1 }, scores: { X: { speed: 5 }, Y: { speed: 6 } }, timeline: '1 week' })),
  },
  assess_technical_debt: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) =>
      leakFree(
        await b('cto', 'assess_technical_debt', {
          codebase_metrics: { test_coverage: 60, avg_cyclomatic_complexity: 8, duplication_pct: 5, outdated_dependencies: 10, open_bugs: 20, code_smells: 100, lines_of_code: 20_000 },
        }),
      ),
  },
  review_architecture: {
    phase: 'write',
    how: "reviewing A's design is not_found, like an unknown id",
    run: ({ likeMissing }) => likeMissing('cto', 'review_architecture', (v) => ({ design_id: v('design'), design: { style: 'b' }, components: ['api'], scalability: 'b' }), 'not_found'),
  },
  // run_quality_gate runs before this: B's own gate for vb.
  approve_deployment: {
    phase: 'write',
    how: "A's passing gate for va does not approve B's va (B's own va gate failed); A's open sev-1 does not block B's vb",
    run: async ({ b, leakFree }) => {
      const foreign = await b('cto', 'approve_deployment', { release: 'va', environments: ['staging'] });
      leakFree(foreign);
      expect(foreign.isError || foreign.structuredContent?.approved === false).toBe(true);
      const own = await b('cto', 'approve_deployment', { release: 'vb', environments: ['staging'] });
      leakFree(own);
      expect(ok(own)).toMatchObject({ approved: true });
    },
  },
  // --- operations ---
  list_incidents: {
    phase: 'read',
    how: "A's open sev-1 is not listed",
    run: async ({ b, leakFree }) => {
      for (const args of [{}, { status: 'open' }, { max_severity: 1 }]) {
        const r = await b('operations_head', 'list_incidents', args);
        leakFree(r);
        expect(ok(r).incidents).toEqual([]);
      }
    },
  },
  resolve_incident: {
    phase: 'write',
    how: "B cannot resolve A's sev-1: not_found, like an unknown id",
    run: ({ likeMissing }) => likeMissing('operations_head', 'resolve_incident', (v) => ({ incident_id: v('incident'), resolution: 'b resolved it' }), 'not_found'),
  },
  approve_change_window: {
    phase: 'write',
    how: "A's open sev-1 on svc-a does not reject B's window on svc-a (A's own was rejected)",
    run: async ({ b, leakFree }) => {
      const r = await b('operations_head', 'approve_change_window', { ...window(1), services: ['svc-a'], risk: 'low' });
      leakFree(r);
      expect(ok(r)).toMatchObject({ approved: true, status: 'approved' });
    },
  },
  declare_incident: {
    phase: 'write',
    how: "declares B's own incident",
    run: async ({ b, leakFree }) => leakFree(await b('operations_head', 'declare_incident', { title: 'b incident', severity: 3, description: 'b', affected_services: ['svc-a'] })),
  },
  // --- product manager ---
  prioritize_backlog: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) =>
      leakFree(await b('product_manager', 'prioritize_backlog', { items: [{ id: 'x', title: 'X', reach: 1, impact: 1, confidence: 1, effort: 1 }], constraints: { capacity: 5 } })),
  },
  gather_requirements: {
    phase: 'write',
    how: "A's requirements request is not_found, like an unknown id",
    run: ({ likeMissing }) => likeMissing('product_manager', 'gather_requirements', (v) => ({ request_id: v('request') }), 'not_found'),
  },
  define_feature: {
    phase: 'write',
    how: "defines B's own feature",
    run: async ({ b, leakFree }) => leakFree(await b('product_manager', 'define_feature', { name: 'b feature', user_stories: ['As a user, I want b, so that c'], business_value: 'b' })),
  },
  // --- architect ---
  evaluate_technology: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) =>
      leakFree(
        await b('senior_architect', 'evaluate_technology', {
          technology: 'X',
          use_case: 'b',
          scores: { maturity: 5, community: 5, performance: 5, team_familiarity: 5, cost: 5, security: 5 },
        }),
      ),
  },
  design_system: {
    phase: 'write',
    how: "designing for A's feature is not_found, like an unknown id",
    run: ({ likeMissing }) => likeMissing('senior_architect', 'design_system', (v) => ({ name: 'b', requirements: {}, constraints: {}, feature_id: v('feature') }), 'not_found'),
  },
  create_technical_spec: {
    phase: 'write',
    how: "A's feature and design ids are not_found, like unknown ids",
    run: async ({ likeMissing }) => {
      await likeMissing('senior_architect', 'create_technical_spec', (v) => ({ feature_id: v('feature'), architecture: { style: 'b' } }), 'not_found');
      await likeMissing('senior_architect', 'create_technical_spec', (v) => ({ feature: 'b', design_id: v('design'), architecture: { style: 'b' } }), 'not_found');
    },
  },
  // --- ui/ux ---
  create_design_spec: {
    phase: 'write',
    how: "A's feature id is not_found, like an unknown id",
    run: ({ likeMissing }) =>
      likeMissing('uiux_engineer', 'create_design_spec', (v) => ({ feature: 'b', feature_id: v('feature'), screens: [{ name: 'S', components: ['Button'] }], platforms: ['web'] }), 'not_found'),
  },
  review_accessibility: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) => leakFree(await b('uiux_engineer', 'review_accessibility', { subject: 'b', findings: [{ criterion: '1.1.1', level: 'A', passed: true }] })),
  },
  run_usability_review: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) => leakFree(await b('uiux_engineer', 'run_usability_review', { responses: [[5, 1, 5, 1, 5, 1, 5, 1, 5, 1]] })),
  },
  // --- senior developer ---
  estimate_effort: {
    phase: 'read',
    how: 'a computation over the arguments',
    run: async ({ b, leakFree }) => leakFree(await b('senior_developer', 'estimate_effort', { tasks: [{ title: 't', optimistic: 1, likely: 2, pessimistic: 3 }] })),
  },
  create_implementation_plan: {
    phase: 'write',
    how: "A's spec and feature ids are not_found, like unknown ids",
    run: async ({ likeMissing }) => {
      await likeMissing('senior_developer', 'create_implementation_plan', (v) => ({ spec_id: v('spec'), tasks: [{ title: 't', estimate_hours: 1 }] }), 'not_found');
      await likeMissing('senior_developer', 'create_implementation_plan', (v) => ({ feature_id: v('feature'), tasks: [{ title: 't', estimate_hours: 1 }] }), 'not_found');
    },
  },
  request_code_review: {
    phase: 'write',
    how: "asks B's reviewer",
    run: async ({ b, leakFree }) => leakFree(await b('senior_developer', 'request_code_review', { title: 'b change', files_changed: 1, lines_changed: 2, risk: 'low' })),
  },
  // --- tasks and workflows ---
  my_tasks: {
    phase: 'read',
    how: "A's open workflow and vote tasks are not in B's lists",
    run: async ({ b, leakFree }) => {
      for (const endpoint of ['product_manager', 'ceo', 'cto', 'board'] as const) {
        const r = await b(endpoint, 'my_tasks', { status: 'all', limit: 100 });
        leakFree(r);
        expect(ok(r).tasks).toEqual([]);
      }
    },
  },
  list_workflow_runs: {
    phase: 'read',
    how: "A's runs (a feature, a collaborative decision, an escalation) are not listed",
    run: async ({ b, leakFree }) => {
      for (const args of [{}, { status: 'running' }, { workflow: 'feature_development' }, { workflow: 'escalation' }]) {
        const r = await b('ceo', 'list_workflow_runs', args);
        leakFree(r);
        expect(ok(r).runs).toEqual([]);
      }
    },
  },
  workflow_status: {
    phase: 'read',
    how: "every A run id is not_found, like an unknown id",
    run: async ({ likeMissing }) => {
      for (const id of aRuns) await likeMissing('ceo', 'workflow_status', (v) => ({ run_id: v(id) }), 'not_found');
    },
  },
  complete_task: {
    phase: 'write',
    how: "completing A's task is not_found, like an unknown id; A's run does not move",
    run: ({ likeMissing }) => likeMissing('product_manager', 'complete_task', (v) => ({ task_id: v('task'), outcome: 'done', result: { definition: 'b' } }), 'not_found'),
  },
  start_workflow: {
    phase: 'write',
    how: "starts B's own run",
    run: async ({ b, leakFree }) => {
      const r = await b('operations_head', 'start_workflow', { workflow: 'incident_response', input: { title: 'b incident', severity: 3 } });
      leakFree(r);
      expect(ok(r)).toMatchObject({ status: 'running', initiator: 'operations_head' });
    },
  },
  // --- test lead ---
  list_quality_gates: {
    phase: 'read',
    how: "A's gate for release va is not listed",
    run: async ({ b, leakFree }) => {
      for (const args of [{}, { release: 'va' }, { passed: true }]) {
        const r = await b('test_lead', 'list_quality_gates', args);
        leakFree(r);
        expect(ok(r).gates).toEqual([]);
      }
    },
  },
  run_quality_gate: {
    phase: 'write',
    how: "B's gate for va is B's own (failed, where A's passed) and not measured against A's test plan; B's vb gate passes",
    run: async ({ b, leakFree }) => {
      const va = await b('test_lead', 'run_quality_gate', { release: 'va', results: { ...GOOD_RESULTS, tests_passed: 100 } });
      leakFree(va);
      expect(ok(va)).toMatchObject({ passed: false });
      expect(ok(await b('test_lead', 'run_quality_gate', { release: 'vb', results: GOOD_RESULTS }))).toMatchObject({ passed: true });
    },
  },
  create_test_plan: {
    phase: 'write',
    how: "plans B's own release va",
    run: async ({ b, leakFree }) => leakFree(await b('test_lead', 'create_test_plan', { release: 'va', scope: ['b'], risk_level: 'low' })),
  },
  get_rate_limits: {
    phase: 'read',
    how: "B sees the deployment's defaults, not A's overrides",
    run: async ({ b, leakFree }) => {
      const r = await b('board', 'get_rate_limits', {});
      leakFree(r);
      expect(ok(r)).toMatchObject({ key_per_minute: DEFAULT_RATE_LIMITS.keyPerMinute, daily_tool_calls: DEFAULT_RATE_LIMITS.dailyToolCalls, overridden: [] });
    },
  },
  set_rate_limits: {
    phase: 'write',
    how: "B's override is B's own: A's limits (in the snapshot) stay 7 and 9999",
    run: async ({ b, leakFree }) => {
      const r = await b('board', 'set_rate_limits', { key_per_minute: 300 });
      leakFree(r);
      expect(ok(r)).toMatchObject({ key_per_minute: 300, daily_tool_calls: DEFAULT_RATE_LIMITS.dailyToolCalls, overridden: ['key_per_minute'] });
    },
  },
  report_defect: {
    phase: 'write',
    how: "reports B's own defect",
    run: async ({ b, leakFree }) => leakFree(await b('test_lead', 'report_defect', { release: 'va', title: 'b defect', description: 'b', severity: 'minor' })),
  },
};

/** Write entries whose outcome depends on an earlier one run in this order; the rest keep registry order. */
/** Run ids of tenant A's workflows (filled by the seeding): one it started, and those its decisions started. */
const aRuns: string[] = [];

const WRITE_ORDER = ['restore_memory', 'forget_memory', 'store_memory', 'set_budget', 'allocate_budget', 'run_quality_gate', 'approve_deployment', 'approve_change_window', 'declare_incident'];

describe('tenant isolation matrix: every tool, called by tenant B with tenant A’s ids', () => {
  type Conclave = Awaited<ReturnType<typeof startLocal>>;
  let conclave: Conclave;
  let dynamo: DynamoDBClient;
  let keyA: string;
  let keyB: string;
  let seed: SeedA;
  let aBefore: string[];
  const clients = new Map<string, Awaited<ReturnType<typeof modernClient>>>();
  const calledByB = new Set<string>();

  const client = async (endpoint: EndpointId, key: string) => {
    const id = `${endpoint}:${key}`;
    if (!clients.has(id)) clients.set(id, await modernClient(conclave, endpoint, key));
    return clients.get(id) as Awaited<ReturnType<typeof modernClient>>;
  };
  const callAs = async (key: string, endpoint: EndpointId, tool: string, args: Record<string, unknown>): Promise<Result> =>
    (await (await client(endpoint, key)).callTool({ name: tool, arguments: args })) as Result;

  /** Tenant A's items (audit entries aside: B's calls are audited in B's own partition, A's reads in A's). */
  async function snapshotA(): Promise<string[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items
      .filter((i) => (i.pk?.S ?? '').startsWith('T#tenant-a') && !(i.pk?.S ?? '').includes('#AUDIT#'))
      .map((i) => JSON.stringify(Object.fromEntries(Object.entries(i).sort(([x], [y]) => x.localeCompare(y)))))
      .sort();
  }

  async function settle(): Promise<void> {
    await conclave.bus.drain();
    await new Promise((r) => setTimeout(r, 500));
    await conclave.bus.drain();
  }

  beforeAll(async () => {
    conclave = await startLocal({ port: 0, allowedOrigins: ['http://localhost:*'], staleAfterMs: 300_000, log: memoryLog(), embedder: hashingEmbedder() });
    dynamo = conclave.engineClient();
    keyA = await issueKey(conclave, 'tenant-a', ['all'], true);
    keyB = await issueKey(conclave, 'tenant-b', ['all'], true);
    const a = async (endpoint: EndpointId, tool: string, args: Record<string, unknown>) => ok(await callAs(keyA, endpoint, tool, args));

    await a('cto', 'heartbeat', { status: 'running', capabilities: [MARK] });
    const message = await a('ceo', 'send_message', { to: 'cto', subject: MARK, content: MARK });
    const broadcast = await a('ceo', 'broadcast', { channel: 'leadership', subject: MARK, content: MARK });
    const approved = await a('cto', 'propose_decision', { decision_type: 'purchase', mode: 'autonomous', context: MARK, amount: 1000 });
    const pending = await a('cto', 'propose_decision', { decision_type: 'vendor', mode: 'collaborative', context: MARK, participants: ['ceo', 'cto'] });
    const escalated = await a('ceo', 'approve_strategic_initiative', { initiative: MARK, business_value: MARK, budget: 2_000_000 });
    await a('ceo', 'set_budget', { department: 'secretdept', period: '2027-Q1', ceiling: 100_000 });
    const allocation = await a('ceo', 'allocate_budget', { department: 'secretdept', period: '2027-Q1', amount: 1000, justification: MARK });
    await a('cto', 'store_memory', { key: 'a-secret-key', content: `${MARK} draft`, tags: ['a-tag'] });
    await a('cto', 'store_memory', { key: 'a-secret-key', content: MARK, tags: ['a-tag'] });
    await a('board', 'set_rate_limits', { key_per_minute: 7, daily_tool_calls: 9999 });
    await a('board', 'set_authority', { role: 'cto', limit: 500_000 });
    await a('board', 'set_autopilot', { role: 'cto', enabled: true, model_id: 'tenant-a-model', max_steps: 7, daily_token_budget: 12_345 });
    const hire = await a('chro', 'approve_hire', { role_title: MARK, department: 'secretdept', annual_cost: 50_000, justification: MARK });
    const feature = await a('product_manager', 'define_feature', { name: MARK, user_stories: ['As a user, I want x, so that y'], business_value: MARK });
    const request = await a('product_manager', 'gather_requirements', { feature: MARK, stakeholders: ['cto'], questions: [`${MARK}?`] });
    const design = await a('senior_architect', 'design_system', { name: MARK, requirements: { latency_ms: 100 }, constraints: {}, feature_id: feature.feature_id });
    const spec = await a('senior_architect', 'create_technical_spec', { feature_id: feature.feature_id, design_id: design.design_id, architecture: { style: 'monolith' } });
    const uxSpec = await a('uiux_engineer', 'create_design_spec', { feature: MARK, feature_id: feature.feature_id, screens: [{ name: 'S', components: ['Button'] }], platforms: ['web'] });
    const plan = await a('senior_developer', 'create_implementation_plan', { spec_id: spec.spec_id, tasks: [{ title: MARK, estimate_hours: 1 }] });
    const codeReview = await a('senior_developer', 'request_code_review', { title: MARK, files_changed: 1, lines_changed: 4, risk: 'low' });
    const testPlan = await a('test_lead', 'create_test_plan', { release: 'va', scope: [MARK], risk_level: 'low' });
    const gate = await a('test_lead', 'run_quality_gate', { release: 'va', results: GOOD_RESULTS });
    const defect = await a('test_lead', 'report_defect', { release: 'va', title: MARK, description: MARK, severity: 'minor' });
    const deployment = await a('cto', 'approve_deployment', { release: 'va', environments: ['staging'] });
    const review = await a('cto', 'review_architecture', { design_id: design.design_id, design: { style: MARK }, components: ['api'], scalability: MARK });
    // A's open sev-1 makes A's own change window on svc-a fail; B's must not notice it.
    const incident = await a('operations_head', 'declare_incident', { title: MARK, severity: 1, description: MARK, affected_services: ['svc-a'] });
    const aWindow = await a('operations_head', 'approve_change_window', { ...window(1), services: ['svc-a'], risk: 'low' });
    expect(aWindow).toMatchObject({ approved: false });
    const run = await a('product_manager', 'start_workflow', { workflow: 'feature_development', input: { title: MARK, description: MARK } });
    await settle();
    const tasks = (await a('product_manager', 'my_tasks', { status: 'open' })).tasks as { task_id: string; run_id: string }[];
    const task = tasks.find((t) => t.run_id === run.run_id);
    expect(task, 'the feature run opened a task for the product manager').toBeDefined();
    aRuns.push(...((await a('ceo', 'list_workflow_runs', { limit: 50 })).runs as { run_id: string }[]).map((r) => r.run_id));
    expect(aRuns).toContain(run.run_id);
    expect(aRuns.length).toBeGreaterThan(1);

    seed = {
      message: String(message.message_id),
      thread: String(message.thread_id),
      broadcast: String(broadcast.message_id),
      decisionApproved: String(approved.decision_id),
      decisionPending: String(pending.decision_id),
      decisionEscalated: String(escalated.decision_id),
      hireDecision: String(hire.decision_id),
      hire: String(hire.hire_id),
      feature: String(feature.feature_id),
      request: String(request.request_id),
      design: String(design.design_id),
      spec: String(spec.spec_id),
      uxSpec: String(uxSpec.spec_id),
      plan: String(plan.plan_id),
      testPlan: String(testPlan.plan_id),
      gate: String(gate.gate_id),
      defect: String(defect.defect_id),
      deployment: String(deployment.deployment_id),
      incident: String(incident.incident_id),
      window: String(aWindow.window_id),
      review: String(review.review_id),
      codeReview: String(codeReview.message_id),
      allocation: String(allocation.tracking_id),
      run: String(run.run_id),
      task: String(task?.task_id),
    };
    for (const [name, id] of Object.entries(seed)) expect(id, name).toMatch(/^[0-9a-z][0-9a-z.-]{9,}$/);
    aBefore = await snapshotA();
    // Nothing of A's moves on its own while B acts (a workflow step, a late event): the comparison below means something.
    await settle();
    expect(await snapshotA()).toEqual(aBefore);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients.values()) await c.close();
    dynamo?.destroy();
    await conclave?.close();
  });

  it('has an entry for every tool in the registry, and none for a tool that does not exist', () => {
    const names = TOOLS.map((t) => t.name);
    expect(names.filter((n) => !(n in MATRIX)), 'tools without an isolation entry').toEqual([]);
    expect(Object.keys(MATRIX).filter((n) => !names.includes(n)), 'entries for unknown tools').toEqual([]);
  });

  it("gives tenant B nothing of tenant A's through any tool", { timeout: 120_000 }, async () => {
    const aIds = () => [...Object.values(seed), ...aRuns];
    const ctx: Ctx = {
      nearestToA: async (asTenant) => {
        const { modelId, dimensions } = conclave.deps.embedder;
        const [vector] = await conclave.deps.embedder.embed([embeddingText('a-secret-key', MARK)]);
        return (await conclave.deps.vectors.query(asTenant, modelTag(modelId, dimensions), vector as Float32Array, 100)).map((m) => m.key);
      },
      a: seed,
      b: async (endpoint, tool, args) => {
        calledByB.add(tool);
        return callAs(keyB, endpoint, tool, args);
      },
      leakFree: (result, sent = []) => {
        const text = JSON.stringify(result);
        if (!sent.includes(MARK)) expect(text, 'A content in a B response').not.toContain(MARK);
        for (const id of aIds()) if (!sent.includes(id)) expect(text, `A id ${id} in a B response`).not.toContain(id);
      },
      likeMissing: async (endpoint, tool, args, code) => {
        const fakes = new Map<string, string>();
        const fake = (real: string) => {
          if (!fakes.has(real)) fakes.set(real, real.slice(0, 2) + [...randomBytes(real.length)].map((x) => '0123456789abcdefghjkmnpqrstvwxyz'[x % 32]).join('').slice(2));
          return fakes.get(real) as string;
        };
        const real = await ctx.b(endpoint, tool, args((k) => seed[k as keyof SeedA] ?? k));
        const missing = await ctx.b(endpoint, tool, args((k) => fake(seed[k as keyof SeedA] ?? k)));
        const sent = aIds().filter((id) => JSON.stringify(args((k) => seed[k as keyof SeedA] ?? k)).includes(id));
        ctx.leakFree(real, sent);
        const normalize = (r: Result, ids: readonly string[]) => {
          let text = JSON.stringify({ isError: r.isError ?? false, content: r.content, structuredContent: r.structuredContent });
          for (const id of ids) text = text.split(id).join('<id>');
          return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>').replace(/\b[0-9a-z]{26}\b/g, '<ulid>');
        };
        expect(normalize(real, [...fakes.keys()]), `${tool} answers A's ids differently from unknown ones`).toBe(normalize(missing, [...fakes.values()]));
        if (code) expect((real.structuredContent?.error as { code?: string } | undefined)?.code, `${tool}: ${JSON.stringify(real.content)}`).toBe(code);
      },
    };
    const reads = Object.entries(MATRIX).filter(([, e]) => e.phase === 'read');
    const writes = Object.entries(MATRIX)
      .filter(([, e]) => e.phase === 'write')
      .sort(([x], [y]) => (WRITE_ORDER.indexOf(x) + 1 || 999) - (WRITE_ORDER.indexOf(y) + 1 || 999));
    for (const [name, entry] of [...reads, ...writes]) {
      try {
        await entry.run(ctx);
      } catch (error) {
        throw new Error(`${name} (${entry.how}): ${(error as Error).message}`, { cause: error });
      }
    }
    expect(TOOLS.map((t) => t.name).filter((n) => !calledByB.has(n)), 'matrix entries that never called their tool').toEqual([]);
  });

  it("leaves tenant A's data exactly as it was", async () => {
    await settle();
    expect(await snapshotA()).toEqual(aBefore);
    // And A still sees its own world.
    const agents = ok(await callAs(keyA, 'ceo', 'list_agents', {}));
    expect(JSON.stringify(agents)).toContain(MARK);
    const budgets = ok(await callAs(keyA, 'ceo', 'list_budgets', { period: '2027-Q1' }));
    expect(budgets.budgets).toEqual([expect.objectContaining({ department: 'secretdept', ceiling: 100_000, allocated_total: 1000 })]);
    expect(ok(await callAs(keyA, 'ceo', 'get_decision', { decision_id: seed.decisionPending }))).toMatchObject({ status: 'pending', votes: [] });
  });

  it("does not show A's agents, chart or audit trail through B's resources", async () => {
    const board = await client('board', keyB);
    const today = new Date().toISOString().slice(0, 10);
    for (const uri of ['conclave://agents', 'conclave://audit/today', `conclave://audit/${today}?limit=200`, `conclave://audit/${today}?role=cto`, 'conclave://org-chart']) {
      const text = JSON.stringify(await board.readResource({ uri }));
      expect(text).not.toContain(MARK);
      expect(text).not.toContain('tenant-a');
    }
    // Each tenant reads its own chart: B's board changed B's CTO limit, A's stays as A set it.
    const chartOf = async (key: string) =>
      JSON.parse(((await (await client('cto', key)).readResource({ uri: 'conclave://org-chart' })).contents[0] as { text: string }).text) as {
        roles: { id: string; authorityUsd: number; reportsTo: string }[];
      };
    expect((await chartOf(keyB)).roles.find((r) => r.id === 'cto')?.authorityUsd).toBe(1);
    expect((await chartOf(keyA)).roles.find((r) => r.id === 'cto')?.authorityUsd).toBe(500_000);
    expect((await chartOf(keyA)).roles.find((r) => r.id === 'test_lead')?.reportsTo).toBe('cto');
  });

  it("neither reads nor completes A's ids through B's resource templates, inbox and tasks", async () => {
    const ceo = await client('ceo', keyB);
    for (const uri of [`conclave://decisions/${seed.decisionPending}`, `conclave://runs/${seed.run}`]) {
      await expect(ceo.readResource({ uri })).rejects.toThrow(/not found/i);
    }
    const memory = await ceo.readResource({ uri: 'conclave://memories/a-secret-key' }).then((r) => JSON.stringify(r), (e: unknown) => String(e));
    expect(memory).not.toContain(MARK);
    for (const uri of ['conclave://inbox', 'conclave://tasks']) {
      const text = JSON.stringify(await ceo.readResource({ uri }));
      expect(text).not.toContain(MARK);
      expect(text).not.toContain(seed.run);
    }
    const complete = async (uri: string, name: string, value: string) => (await ceo.complete({ ref: { type: 'ref/resource', uri }, argument: { name, value } })).completion.values;
    expect(await complete('conclave://decisions/{id}', 'id', seed.decisionPending.slice(0, 12))).not.toContain(seed.decisionPending);
    expect(await complete('conclave://decisions/{id}', 'id', '')).not.toContain(seed.decisionPending);
    expect(await complete('conclave://runs/{id}', 'id', seed.run.slice(0, 10))).not.toContain(seed.run);
    const listed = JSON.stringify(await ceo.listResources());
    expect(listed).not.toContain(seed.decisionPending);
    expect(listed).not.toContain(seed.run);
  });
});
