import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../functions/contracts/events.js';
import { AGENT_ROLES, type EndpointId } from '../../functions/contracts/roles.js';
import { keys } from '../../functions/core/keys.js';
import { CEO_TOOLS } from '../../functions/mcp/tools/roles/ceo.js';
import { CHRO_TOOLS } from '../../functions/mcp/tools/roles/chro.js';
import { RoleClients, eventually, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
type Result = Record<string, unknown>;
interface Budget {
  department: string;
  ceiling: number;
  allocated_total: number;
  remaining: number;
  allocations: number;
}
interface Signal {
  metric: string;
  count: number;
  penalty: number;
  details: string[];
}
interface Inbox {
  threads: { thread_id: string; messages: { from: string; type: string; priority: string; subject: string; content: string }[] }[];
}

const STALE_MS = 2500;
const currentQuarter = () => `${new Date().getUTCFullYear()}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}`;
const HOUR = 3_600_000;

describe('ceo and chro role tools over MCP', () => {
  let conclave: Conclave;
  let roles: RoleClients;
  let other: RoleClients;
  const events: BusEvent[] = [];
  /** A tool the endpoint does not serve: the v2 client reports it as an error result or a protocol error. */
  const notServed = async (role: EndpointId, name: string, args: Record<string, unknown>) => {
    const outcome = await roles.call(role, name, args).then(
      (result) => (result.isError ? 'refused' : 'served'),
      (error: Error) => `refused: ${error.message}`,
    );
    expect(outcome).toMatch(/^refused/);
  };
  const budgets = async (period: string, clients = roles) => (await clients.ok<{ budgets: Budget[] }>('ceo', 'list_budgets', { period })).budgets;
  const rule = (decisionId: string, ruling: 'approve' | 'reject' = 'approve', clients = roles) =>
    clients.ok<{ status: string }>('board', 'rule_on_decision', { decision_id: decisionId, ruling, rationale: 'board ruling' });

  beforeAll(async () => {
    conclave = await startTestConclave({ staleAfterMs: STALE_MS });
    roles = await RoleClients.of(conclave, 'acme');
    other = await RoleClients.of(conclave, 'globex');
    conclave.bus.tap((e) => events.push(e));
  });
  afterAll(async () => {
    await roles.close();
    await other.close();
    await conclave.close();
  });

  describe('endpoints', () => {
    it('lists the ceo tools only on /mcp/ceo and the chro tools only on /mcp/chro', async () => {
      const ceo = (await (await roles.client('ceo')).listTools()).tools.map((t) => t.name);
      const chro = (await (await roles.client('chro')).listTools()).tools.map((t) => t.name);
      const cto = (await (await roles.client('cto')).listTools()).tools.map((t) => t.name);
      for (const t of CEO_TOOLS) {
        expect(ceo).toContain(t.name);
        expect(chro).not.toContain(t.name);
        expect(cto).not.toContain(t.name);
      }
      for (const t of CHRO_TOOLS) {
        expect(chro).toContain(t.name);
        expect(ceo).not.toContain(t.name);
      }
      expect(ceo).toEqual(expect.arrayContaining(['approve_strategic_initiative', 'allocate_budget', 'escalate_to_board', 'review_organizational_health', 'set_budget']));
      expect(chro).toEqual(expect.arrayContaining(['approve_hire', 'assess_team_health', 'plan_headcount', 'list_hires']));
    });

    it("refuses a role's tool on another role's endpoint and records nothing", async () => {
      const before = (await roles.ok<{ decisions: unknown[] }>('ceo', 'list_decisions', { limit: 50 })).decisions.length;
      await notServed('cto', 'approve_strategic_initiative', { initiative: 'x', business_value: 'y', budget: 10 });
      await notServed('chro', 'set_budget', { department: 'hr', ceiling: 10 });
      await notServed('board', 'allocate_budget', { department: 'hr', amount: 10, justification: 'x' });
      await notServed('ceo', 'approve_hire', { role_title: 'x', department: 'hr', annual_cost: 10, justification: 'y' });
      expect((await roles.ok<{ decisions: unknown[] }>('ceo', 'list_decisions', { limit: 50 })).decisions.length).toBe(before);
      expect((await budgets(currentQuarter())).map((b) => b.department)).not.toContain('hr');
    });
  });

  describe('approve_strategic_initiative', () => {
    it('approves exactly $1,000,000 and escalates $1,000,000.01 to the board', async () => {
      const at = await roles.ok('ceo', 'approve_strategic_initiative', { initiative: 'Enter Japan', business_value: 'New market', budget: 1_000_000 });
      expect(at).toMatchObject({ approved: true, status: 'approved', escalation_id: null });
      const atDecision = await roles.ok('ceo', 'get_decision', { decision_id: at.decision_id });
      expect(atDecision).toMatchObject({ decision_type: 'strategic_initiative', mode: 'autonomous', status: 'approved', amount: 1_000_000 });

      const above = await roles.ok('ceo', 'approve_strategic_initiative', { initiative: 'Enter Korea', business_value: 'New market', budget: 1_000_000.01 });
      expect(above).toMatchObject({ approved: false, status: 'escalated', awaiting: 'board' });
      expect(above.escalation_id).toMatch(/^[0-9a-z]{26}$/);
      expect(String(above.rationale)).toContain('exceeds the ceo authority');
      const waiting = await roles.ok<{ decisions: { decision_id: string }[] }>('board', 'list_decisions', { awaiting_me: true });
      expect(waiting.decisions.map((d) => d.decision_id)).toContain(above.decision_id);
      expect(events.some((e) => e['detail-type'] === 'Decision.Escalated.v1' && (e.detail as { decision_id: string }).decision_id === above.decision_id)).toBe(true);
    });

    it("uses the tenant's overridden CEO authority", async () => {
      await other.ok('board', 'set_authority', { role: 'ceo', limit: 2_000_000 });
      const approved = await other.ok('ceo', 'approve_strategic_initiative', { initiative: 'Buy a rival', business_value: 'Share', budget: 1_500_000 });
      expect(approved).toMatchObject({ approved: true, authority_limit: 2_000_000 });
      const same = await roles.ok('ceo', 'approve_strategic_initiative', { initiative: 'Buy a rival', business_value: 'Share', budget: 1_500_000 });
      expect(same).toMatchObject({ approved: false, status: 'escalated', authority_limit: 1_000_000 });
      await other.ok('board', 'set_authority', { role: 'ceo', limit: 1_000_000 });
    });

    it('refuses bad arguments with a tool error naming the field', async () => {
      expect(await roles.refused('ceo', 'approve_strategic_initiative', { initiative: 'x', business_value: 'y', budget: -1 })).toContain('budget');
      expect(await roles.refused('ceo', 'approve_strategic_initiative', { initiative: 'x', business_value: 'y', budget: '100' })).toContain('budget');
      expect(await roles.refused('ceo', 'approve_strategic_initiative', { initiative: 'x', business_value: 'y', budget: 10.001 })).toContain('budget');
      expect(await roles.refused('ceo', 'approve_strategic_initiative', { initiative: ' ', business_value: 'y', budget: 10 })).toContain('initiative');
    });
  });

  describe('set_budget and allocate_budget', () => {
    it('allocates within the ceiling, tracks the total, and refuses an over-allocation naming what remains', async () => {
      const set = await roles.ok('ceo', 'set_budget', { department: 'Engineering', period: '2027-Q1', ceiling: 100_000 });
      expect(set).toMatchObject({ status: 'set', department: 'engineering', period: '2027-Q1', budget: { ceiling: 100_000, allocated_total: 0 } });
      const first = await roles.ok('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: 60_000, justification: 'Cloud' });
      expect(first).toMatchObject({ allocated: true, status: 'allocated', allocated_total: 60_000, remaining: 40_000, ceiling: 100_000 });
      expect(first.tracking_id).toMatch(/^[0-9a-z]{26}$/);
      const over = await roles.refused('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: 40_000.01, justification: 'More' });
      expect(over).toContain('conflict');
      expect(over).toContain('40,000 USD remains');
      expect((await budgets('2027-Q1')).find((b) => b.department === 'engineering')).toMatchObject({ allocated_total: 60_000, remaining: 40_000, allocations: 1 });
    });

    it('defaults to the current calendar quarter', async () => {
      const quarter = currentQuarter();
      const set = await roles.ok('ceo', 'set_budget', { department: 'people', ceiling: 50_000 });
      expect(set.period).toBe(quarter);
      const allocated = await roles.ok('ceo', 'allocate_budget', { department: 'people', amount: 1000, justification: 'Training' });
      expect(allocated).toMatchObject({ period: quarter, allocated_total: 1000 });
    });

    it('lets exactly 12 of 20 concurrent allocations through a ceiling that fits 12', async () => {
      await roles.ok('ceo', 'set_budget', { department: 'marketing', period: '2027-Q2', ceiling: 12 * 2500 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => roles.call('ceo', 'allocate_budget', { department: 'marketing', period: '2027-Q2', amount: 2500, justification: `campaign ${i}` })),
      );
      const succeeded = results.filter((r) => !r.isError);
      expect(succeeded).toHaveLength(12);
      expect(new Set(succeeded.map((r) => (r.structuredContent as Result).tracking_id)).size).toBe(12);
      for (const r of results.filter((x) => x.isError)) expect(JSON.stringify(r.content)).toContain('remains');
      expect((await budgets('2027-Q2')).find((b) => b.department === 'marketing')).toMatchObject({ allocated_total: 30_000, remaining: 0, allocations: 12 });
    });

    it('escalates a ceiling and an allocation above the CEO authority, and applies them once the board approves', async () => {
      const asked = await roles.ok('ceo', 'set_budget', { department: 'strategy', period: '2027', ceiling: 2_500_000 });
      expect(asked).toMatchObject({ status: 'escalated', budget: null });
      expect(asked.escalation_id).toBeTruthy();
      const ceilingDecision = String(asked.decision_id);
      expect(await roles.refused('ceo', 'set_budget', { department: 'strategy', period: '2027', ceiling: 2_500_000, decision_id: ceilingDecision })).toContain('awaiting board');
      expect((await budgets('2027')).some((b) => b.department === 'strategy')).toBe(false);
      await rule(ceilingDecision);
      // The approval takes effect by itself; calling again with the approved decision_id is just as idempotent.
      await eventually(async () => expect((await budgets('2027')).find((b) => b.department === 'strategy')?.ceiling).toBe(2_500_000));
      expect(await roles.ok('ceo', 'set_budget', { department: 'strategy', period: '2027', ceiling: 2_500_000, decision_id: ceilingDecision })).toMatchObject({
        status: 'set',
        budget: { ceiling: 2_500_000 },
      });

      const atLimit = await roles.ok('ceo', 'allocate_budget', { department: 'strategy', period: '2027', amount: 1_000_000, justification: 'Acquisition fund' });
      expect(atLimit).toMatchObject({ allocated: true, status: 'allocated', escalation_id: null });
      const above = await roles.ok('ceo', 'allocate_budget', { department: 'strategy', period: '2027', amount: 1_000_000.01, justification: 'Second fund' });
      expect(above).toMatchObject({ allocated: false, status: 'escalated', allocated_total: 1_000_000, remaining: 1_500_000 });
      expect(above.escalation_id).toMatch(/^[0-9a-z]{26}$/);
      const allocationDecision = String(above.decision_id);
      await rule(allocationDecision);
      // Allocated once by Conclave when the board approved; executing it again is refused by the ledger.
      await eventually(async () => expect((await budgets('2027')).find((b) => b.department === 'strategy')).toMatchObject({ allocated_total: 2_000_000.01, allocations: 2 }));
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'strategy', period: '2027', amount: 1_000_000.01, justification: 'again', decision_id: allocationDecision })).toContain(
        'already allocated',
      );
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'strategy', period: '2027', amount: 5, justification: 'x', decision_id: ceilingDecision })).toContain('within your authority');
      expect((await budgets('2027')).find((b) => b.department === 'strategy')).toMatchObject({ allocated_total: 2_000_000.01, allocations: 2 });
    });

    it('refuses a rejected escalation and leaves the budget unchanged', async () => {
      await roles.ok('ceo', 'set_budget', { department: 'labs', period: '2027', ceiling: 900_000 });
      const asked = await roles.ok('ceo', 'set_budget', { department: 'labs', period: '2027', ceiling: 1_200_000 });
      await rule(String(asked.decision_id), 'reject');
      expect(await roles.refused('ceo', 'set_budget', { department: 'labs', period: '2027', ceiling: 1_200_000, decision_id: asked.decision_id })).toContain('rejected');
      expect((await budgets('2027')).find((b) => b.department === 'labs')?.ceiling).toBe(900_000);
    });

    it('refuses bad arguments and changes nothing', async () => {
      const before = await budgets('2027-Q1');
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: -5, justification: 'x' })).toContain('amount');
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: 0, justification: 'x' })).toContain('amount');
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'engineering', period: 'Q1-2027', amount: 5, justification: 'x' })).toContain('period');
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: 5 })).toContain('justification');
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'nobody', period: '2027-Q1', amount: 5, justification: 'x' })).toContain('set_budget first');
      expect(await roles.refused('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: 5, justification: 'x', decision_id: 'nope' })).toContain('within your authority');
      expect(await roles.refused('ceo', 'set_budget', { department: 'engineering', period: '2027-Q1', ceiling: 59_999 })).toContain('already allocated');
      expect(await roles.refused('ceo', 'set_budget', { department: '../x', period: '2027-Q1', ceiling: 5 })).toContain('department');
      expect(await budgets('2027-Q1')).toEqual(before);
    });

    it("keeps budgets per tenant: another tenant neither sees nor allocates from them", async () => {
      expect(await budgets('2027-Q1', other)).toEqual([]);
      expect(await other.refused('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q1', amount: 5, justification: 'x' })).toContain('not_found');
      expect((await budgets('2027-Q1')).find((b) => b.department === 'engineering')?.allocated_total).toBe(60_000);
    });
  });

  describe('escalate_to_board', () => {
    it('moves an open decision to the board with an urgent inbox message, then the board rules', async () => {
      const proposed = await roles.ok<{ decision_id: string; awaiting: string }>('cto', 'propose_decision', {
        decision_type: 'vendor',
        mode: 'hierarchical',
        context: 'Switch cloud provider',
        amount: 400_000,
      });
      expect(proposed.awaiting).toBe('ceo');
      const escalated = await roles.ok('ceo', 'escalate_to_board', { decision_id: proposed.decision_id, urgency: 'critical', reason: 'Strategic lock-in' });
      expect(escalated).toMatchObject({ human_approval_required: true, decision_id: proposed.decision_id, status: 'escalated', urgency: 'critical' });
      expect(escalated.escalation_id).toMatch(/^[0-9a-z]{26}$/);
      const decision = await roles.ok<{ awaiting: string; escalations: { escalation_id: string; from: string; to: string; reason: string }[] }>('ceo', 'get_decision', {
        decision_id: proposed.decision_id,
      });
      expect(decision.awaiting).toBe('board');
      expect(decision.escalations.at(-1)).toMatchObject({ escalation_id: escalated.escalation_id, from: 'ceo', to: 'board' });
      expect(decision.escalations.at(-1)?.reason).toContain('Strategic lock-in');
      expect(events.filter((e) => e['detail-type'] === 'Decision.Escalated.v1' && (e.detail as { escalation_id: string }).escalation_id === escalated.escalation_id)).toHaveLength(1);

      await conclave.bus.drain();
      const inbox = await roles.ok<Inbox>('board', 'read_inbox', { unread_only: true });
      const message = inbox.threads.find((t) => t.thread_id === proposed.decision_id)?.messages[0];
      expect(message).toMatchObject({ from: 'ceo', type: 'escalation', priority: 'urgent' });
      expect(message?.content).toContain('Switch cloud provider');

      expect(await roles.refused('ceo', 'escalate_to_board', { decision_id: proposed.decision_id, urgency: 'high' })).toContain('already awaits the board');
      expect(await rule(proposed.decision_id)).toMatchObject({ status: 'approved' });
      expect(await roles.refused('ceo', 'escalate_to_board', { decision_id: proposed.decision_id, urgency: 'high' })).toContain('conflict');
    });

    it('stops voting on a collaborative decision it escalates', async () => {
      const d = await roles.ok<{ decision_id: string }>('cto', 'propose_decision', { decision_type: 'design', mode: 'collaborative', context: 'Monorepo?', participants: ['senior_architect', 'senior_developer'] });
      await roles.ok('ceo', 'escalate_to_board', { decision_id: d.decision_id, urgency: 'low' });
      expect(await roles.refused('senior_architect', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 1 })).toContain('closed');
      await conclave.bus.drain();
      const inbox = await roles.ok<Inbox>('board', 'read_inbox', { unread_only: true });
      expect(inbox.threads.find((t) => t.thread_id === d.decision_id)?.messages.find((m) => m.from === 'ceo')?.priority).toBe('low');
    });

    it('refuses unknown, closed, other-tenant decisions and bad urgency, changing nothing', async () => {
      expect(await roles.refused('ceo', 'escalate_to_board', { decision_id: 'nope', urgency: 'high' })).toContain('not_found');
      const closed = await roles.ok<{ decision_id: string }>('ceo', 'propose_decision', { decision_type: 'small', mode: 'autonomous', context: 'Snacks', amount: 10 });
      expect(await roles.refused('ceo', 'escalate_to_board', { decision_id: closed.decision_id, urgency: 'high' })).toContain('already approved');
      const open = await roles.ok<{ decision_id: string }>('cto', 'propose_decision', { decision_type: 'x', mode: 'hierarchical', context: 'Tenant A only' });
      expect(await other.refused('ceo', 'escalate_to_board', { decision_id: open.decision_id, urgency: 'high' })).toContain('not_found');
      expect(await roles.refused('ceo', 'escalate_to_board', { decision_id: open.decision_id, urgency: 'extreme' })).toContain('urgency');
      expect(await roles.ok('ceo', 'get_decision', { decision_id: open.decision_id })).toMatchObject({ status: 'pending', awaiting: 'ceo', escalations: [] });
    });
  });

  describe('review_organizational_health', () => {
    const tenant = 'healthco';
    let health: RoleClients;
    const review = async (metrics?: string[]) =>
      health.ok<{ health_score: number; status: string; issues: string[]; recommendations: string[]; signals: Signal[] }>(
        'ceo',
        'review_organizational_health',
        metrics ? { metrics } : {},
      );
    const signal = (report: { signals: Signal[] }, metric: string) => report.signals.find((s) => s.metric === metric);
    const iso = (ms: number) => new Date(ms).toISOString();

    beforeAll(async () => {
      health = await RoleClients.of(conclave, tenant);
    });
    afterAll(async () => {
      await health.close();
    });

    it('reports stale agents from live heartbeats, as the formula says', async () => {
      // Any authenticated call is its role's heartbeat: the CEO asking is alive, the eight others are stale.
      const none = await review(['agents']);
      expect(signal(none, 'agents')).toMatchObject({ count: 8, penalty: 30 });
      expect(none.health_score).toBe(70);
      expect(none.signals).toHaveLength(1);
      await Promise.all(AGENT_ROLES.map((role) => health.ok(role, 'heartbeat', {})));
      const fresh = await review(['agents']);
      expect(fresh).toMatchObject({ health_score: 100, status: 'healthy', issues: [] });
      await health.ok('cto', 'heartbeat', { status: 'error' });
      expect((await review(['agents'])).health_score).toBe(95);
      await new Promise((r) => setTimeout(r, STALE_MS + 200));
      await health.ok('ceo', 'heartbeat', {});
      const stale = await review(['agents']);
      expect(signal(stale, 'agents')).toMatchObject({ count: 8, penalty: 30 });
      expect(stale.issues[0]).toContain('stale');
    });

    it('scores old open decisions, overdue tasks, failed runs and open incidents from stored data', async () => {
      const store = conclave.deps.store;
      const now = Date.now();
      const metrics = ['decisions', 'tasks', 'workflows', 'incidents'];
      expect((await review(metrics)).health_score).toBe(100);

      const decision = (id: string, createdAt: number, status: string) =>
        store.put({
          ...keys.decisionItem(tenant, id),
          gsi1pk: keys.decisions(tenant),
          gsi1sk: `${iso(createdAt)}#${id}`,
          type: 'decision',
          tenant_id: tenant,
          decision_id: id,
          decision_type: 'policy',
          initiator: 'cto',
          participants: [],
          mode: 'human',
          context: 'old',
          status,
          awaiting: status === 'approved' ? null : 'board',
          amount: null,
          threshold: 0.6,
          quorum: 0.5,
          consensus_score: null,
          outcome: null,
          created_at: iso(createdAt),
          completed_at: null,
          deadline: null,
          counted_voters: [],
          version: 1,
        });
      await decision('old-pending', now - 48 * HOUR, 'pending');
      await decision('old-escalated', now - 30 * HOUR, 'escalated');
      await decision('old-approved', now - 48 * HOUR, 'approved');
      await decision('young-pending', now - 2 * HOUR, 'pending');
      const afterDecisions = await review(metrics);
      expect(signal(afterDecisions, 'decisions')).toMatchObject({ count: 2, penalty: 8 });
      expect(afterDecisions.health_score).toBe(92);

      await store.put({ ...keys.task(tenant, 'senior_developer', 't1'), task_id: 't1', status: 'open', due_at: iso(now - HOUR), title: 'Implement' });
      await store.put({ ...keys.task(tenant, 'board', 't2'), task_id: 't2', status: 'open', due_at: iso(now - HOUR), title: 'Approve' });
      await store.put({ ...keys.task(tenant, 'cto', 't3'), task_id: 't3', status: 'open', due_at: iso(now + HOUR), title: 'Later' });
      await store.put({ ...keys.task(tenant, 'cto', 't4'), task_id: 't4', status: 'done', due_at: iso(now - HOUR), title: 'Done' });
      const run = (id: string, status: string, startedAt: number) =>
        store.put({ ...keys.run(tenant, id), gsi1pk: keys.runs(tenant), gsi1sk: `${iso(startedAt)}#${id}`, run_id: id, workflow: 'feature_development', status });
      await run('r1', 'failed', now - HOUR);
      await run('r2', 'succeeded', now - HOUR);
      await run('r3', 'failed', now - 8 * 24 * HOUR);
      const incident = (id: string, status: string, severity: number) =>
        store.put({ ...keys.record(tenant, 'INCIDENT', id), gsi1pk: keys.recordIndex(tenant, 'INCIDENT'), gsi1sk: `${iso(now)}#${id}`, incident_id: id, status, severity, title: `Incident ${id}` });
      await incident('i1', 'open', 1);
      await incident('i2', 'resolved', 1);

      const report = await review(metrics);
      expect(report.signals.map((s) => [s.metric, s.count, s.penalty])).toEqual([
        ['decisions', 2, 8],
        ['tasks', 2, 6],
        ['workflows', 1, 5],
        ['incidents', 1, 20],
      ]);
      expect(report.health_score).toBe(61);
      expect(report.status).toBe('degraded');
      expect(report.issues).toHaveLength(4);
      expect(report.recommendations.join(' ')).toContain('severity-1');
      expect(signal(report, 'incidents')?.details[0]).toContain('i1');

      expect((await review(['incidents'])).health_score).toBe(80);
      const foreign = await other.ok<{ signals: Signal[] }>('ceo', 'review_organizational_health', { metrics });
      expect(foreign.signals.every((s) => s.count === 0)).toBe(true);
    });

    it('refuses unknown metrics', async () => {
      expect(await health.refused('ceo', 'review_organizational_health', { metrics: ['vibes'] })).toContain('metrics');
    });
  });

  describe('chro', () => {
    it('approves a hire at $300,000, escalates $300,000.01 to the CEO, and lists live statuses', async () => {
      const at = await roles.ok('chro', 'approve_hire', { role_title: 'Head of Design', department: 'Design', annual_cost: 300_000, justification: 'Lead the design team' });
      expect(at).toMatchObject({ approved: true, status: 'approved', department: 'design', escalation_id: null });
      const above = await roles.ok('chro', 'approve_hire', { role_title: 'CFO', department: 'Finance', annual_cost: 300_000.01, justification: 'Need a CFO' });
      expect(above).toMatchObject({ approved: false, status: 'escalated', awaiting: 'ceo' });
      expect(above.escalation_id).toMatch(/^[0-9a-z]{26}$/);
      const listed = async (args: Record<string, unknown> = {}, clients = roles) => (await clients.ok<{ hires: { hire_id: string; status: string }[] }>('chro', 'list_hires', args)).hires;
      expect((await listed({ status: 'escalated' })).map((h) => h.hire_id)).toEqual([above.hire_id]);
      await roles.ok('ceo', 'rule_on_decision', { decision_id: above.decision_id, ruling: 'approve', rationale: 'Yes' });
      expect((await listed()).map((h) => [h.hire_id, h.status])).toEqual([
        [above.hire_id, 'approved'],
        [at.hire_id, 'approved'],
      ]);
      expect((await listed({ department: 'design' })).map((h) => h.hire_id)).toEqual([at.hire_id]);
      expect(await listed({}, other)).toEqual([]);
    });

    it('refuses a bad hire and records nothing', async () => {
      const before = (await roles.ok<{ hires: unknown[] }>('chro', 'list_hires', { limit: 50 })).hires.length;
      expect(await roles.refused('chro', 'approve_hire', { role_title: 'X', department: 'ops', annual_cost: -1, justification: 'y' })).toContain('annual_cost');
      expect(await roles.refused('chro', 'approve_hire', { role_title: 'X', department: 'ops', annual_cost: 0, justification: 'y' })).toContain('annual_cost');
      expect(await roles.refused('chro', 'approve_hire', { role_title: 'X', department: 'ops', annual_cost: 100 })).toContain('justification');
      expect((await roles.ok<{ hires: unknown[] }>('chro', 'list_hires', { limit: 50 })).hires.length).toBe(before);
    });

    it('assesses team health with the documented formula', async () => {
      const result = await roles.ok('chro', 'assess_team_health', {
        team: 'platform',
        metrics: { attrition_rate: 0.2, engagement_score: 60, open_positions: 2, headcount: 18, overtime_hours_per_week: 9 },
      });
      expect(result).toMatchObject({ team: 'platform', health_score: 63, status: 'at_risk', vacancy_rate: 0.1 });
      expect((result.risks as { factor: string }[]).map((r) => r.factor)).toEqual(['attrition', 'overtime', 'engagement', 'vacancy']);
      expect(await roles.refused('chro', 'assess_team_health', { team: 'x', metrics: { attrition_rate: 0.1, engagement_score: 70, open_positions: 0, headcount: 0, overtime_hours_per_week: 0 } })).toContain(
        'headcount',
      );
      expect(await roles.refused('chro', 'assess_team_health', { team: 'x', metrics: { attrition_rate: 0.1 } })).toContain('engagement_score');
    });

    it("plans headcount against the CEO's budget data and flags a shortfall", async () => {
      await roles.ok('ceo', 'set_budget', { department: 'support', period: '2027-Q3', ceiling: 400_000 });
      await roles.ok('ceo', 'allocate_budget', { department: 'support', period: '2027-Q3', amount: 250_000, justification: 'Tools' });
      const plan = await roles.ok('chro', 'plan_headcount', { department: 'Support', current_headcount: 10, planned_hires: 4, budget_per_hire: 50_000, period: '2027-Q3' });
      expect(plan).toMatchObject({
        planned_cost: 200_000,
        budget: { ceiling: 400_000, allocated_total: 250_000, remaining: 150_000 },
        shortfall: 50_000,
        affordable_hires: 3,
        funded: false,
        resulting_headcount: 14,
        flags: ['shortfall'],
      });
      const fits = await roles.ok('chro', 'plan_headcount', { department: 'support', current_headcount: 10, planned_hires: 3, budget_per_hire: 50_000, period: '2027-Q3' });
      expect(fits).toMatchObject({ funded: true, shortfall: 0, flags: [] });
      const elsewhere = await other.ok('chro', 'plan_headcount', { department: 'support', current_headcount: 10, planned_hires: 3, budget_per_hire: 50_000, period: '2027-Q3' });
      expect(elsewhere).toMatchObject({ budget: null, funded: false, flags: ['no_budget'] });
      expect(await roles.refused('chro', 'plan_headcount', { department: 'support', current_headcount: 10, planned_hires: 0, budget_per_hire: 50_000 })).toContain('planned_hires');
    });
  });
});
