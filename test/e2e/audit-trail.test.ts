import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointId } from '../../functions/contracts/roles.js';
import { eventually } from '../helpers/conclave.js';
import { Roles, startWorkflowConclave, type WorkflowConclave } from '../helpers/workflows.js';

interface Entry {
  id: string;
  action: string;
  outcome: string;
  object_id: string | null;
  key_id: string | null;
  role: string | null;
  correlation_id: string;
  actor: { type: 'principal' | 'system'; component: string | null; run_id: string | null; decision_id: string | null };
}
interface Decision {
  decision_id: string;
  status: string;
  awaiting: string | null;
  escalations: { escalation_id: string; from: string; to: string }[];
}

/** Every audit entry of today (the tests run well within one UTC day, or span two: both are read). */
async function trail(roles: Roles, filters: Record<string, unknown> = {}): Promise<Entry[]> {
  const today = new Date().toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: { entries: Entry[]; next_cursor: string | null } = await roles.ok('board', 'audit_log', { from: yesterday, to: today, limit: 200, ...filters, ...(cursor ? { cursor } : {}) });
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor);
  return entries;
}

async function complete(roles: Roles, role: EndpointId, runId: string, outcome: string, result: Record<string, unknown> = {}): Promise<void> {
  await roles.complete(role, runId, outcome, result);
}

describe('the audit trail of the system’s changes (over MCP)', () => {
  let conclave: WorkflowConclave;
  let roles: Roles;

  beforeAll(async () => {
    conclave = await startWorkflowConclave();
    roles = await Roles.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles.close();
    await conclave.close();
  });

  it('a six-stage feature run leaves each role’s task completion and every workflow step, with their actors and one correlation id', async () => {
    const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', {
      workflow: 'feature_development',
      input: { title: 'Saved searches', description: 'Users save a search and get told about new matches.', requirements: ['save', 'notify'] },
    });
    // Each stage's declared result: the release the run carries, and the figures the quality gate runs on.
    await complete(roles, 'product_manager', run.run_id, 'done', { definition: 'saved searches', release_id: `rel-${run.run_id}` });
    await complete(roles, 'senior_architect', run.run_id, 'done', { design: 'a table' });
    await complete(roles, 'cto', run.run_id, 'approve', { rationale: 'sound' });
    await complete(roles, 'senior_developer', run.run_id, 'done');
    await complete(roles, 'test_lead', run.run_id, 'done', { report: 'all green', tests_total: 100, tests_passed: 100, coverage_pct: 90 });
    await complete(roles, 'cto', run.run_id, 'approve', { rationale: 'ship it' });
    await eventually(async () => expect((await roles.ok<{ status: string }>('ceo', 'workflow_status', { run_id: run.run_id })).status).toBe('succeeded'), 15_000);
    await conclave.bus.drain();

    let lines: Entry[] = [];
    await eventually(async () => {
      lines = await trail(roles, { object_id: run.run_id });
      expect(lines.map((l) => l.action)).toContain('step:feature_development.finish');
    });
    const steps = lines.filter((l) => l.action.startsWith('step:feature_development.'));
    // begin, six stages opened, finish: all by the workflow, for this run, under the run's correlation id.
    expect(steps.filter((l) => l.action === 'step:feature_development.open_task')).toHaveLength(6);
    expect(steps.map((l) => l.action)).toEqual(expect.arrayContaining(['step:feature_development.begin', 'step:feature_development.finish']));
    for (const s of steps) {
      expect(s.actor).toMatchObject({ type: 'system', component: 'workflow:feature_development', run_id: run.run_id });
      expect(s.outcome).toBe('ok');
    }
    expect(new Set(steps.map((s) => s.correlation_id)).size).toBe(1);
    // Each role's completion is a principal's line (the tool call) with the role it acted as.
    const completions = (await trail(roles, { action: 'complete_task' })).filter((l) => l.outcome === 'ok');
    expect(completions.map((c) => c.role)).toEqual(expect.arrayContaining(['product_manager', 'senior_architect', 'cto', 'senior_developer', 'test_lead']));
    for (const c of completions) expect(c.actor.type).toBe('principal');
  });

  it('an approval taking effect (the board approves an escalated commitment) leaves the board’s line and the system’s lines for that decision', async () => {
    const d = await roles.ok<Decision & { escalation_id?: string }>('ceo', 'approve_strategic_initiative', { initiative: 'Buy a rival', business_value: 'Share', budget: 2_000_000 });
    const decisionId = d.decision_id;
    const task = await roles.task('board', (t) => t.decision_id === decisionId);
    await roles.ok('board', 'complete_task', { task_id: task.task_id, outcome: 'approve', result: { rationale: 'worth it' } });
    await eventually(async () => expect((await roles.ok<Decision>('ceo', 'get_decision', { decision_id: decisionId })).status).toBe('approved'));
    await conclave.bus.drain();
    let lines: Entry[] = [];
    await eventually(async () => {
      lines = await trail(roles, { object_id: decisionId });
      expect(lines.some((l) => l.action.startsWith('consumer:decision-workflows'))).toBe(true);
      expect(lines.some((l) => l.action === 'step:escalation.finish')).toBe(true);
    });
    const consumer = lines.find((l) => l.action === 'consumer:decision-workflows:Decision.Completed.v1');
    expect(consumer?.actor).toMatchObject({ type: 'system', component: 'consumer:decision-workflows', decision_id: decisionId });
    for (const s of lines.filter((l) => l.action.startsWith('step:escalation.'))) expect(s.actor).toMatchObject({ type: 'system', component: 'workflow:escalation', decision_id: decisionId });
    // The escalation itself was started by the escalation-starter consumer.
    expect(lines.some((l) => l.actor.component === 'consumer:escalation-starter')).toBe(true);
    // The closed decision is remembered, ruled by the board.
    const memory = await roles.ok<{ content: string; tags: string[] }>('cto', 'get_memory', { key: `decision/${decisionId}` });
    expect(memory.tags).toEqual(expect.arrayContaining(['decision', 'approved']));
    expect(memory.content).toContain('Buy a rival');
    expect(memory.content).toContain('approved');
    const found = await roles.ok<{ results: { key: string }[] }>('cto', 'search_memories', { query: 'did the board approve buying a rival', limit: 5 });
    expect(found.results.map((r) => r.key)).toContain(`decision/${decisionId}`);
  });
});

describe('the audit trail of a deadline escalation (waits shortened)', () => {
  let conclave: WorkflowConclave;
  let roles: Roles;

  beforeAll(async () => {
    conclave = await startWorkflowConclave({ workflows: { timeScale: 2e-5 } });
    roles = await Roles.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles.close();
    await conclave.close();
  });

  it('records each reminder and each timeout that moved the decision up, by the escalation workflow, with the decision id', async () => {
    const d = await roles.ok<Decision>('senior_developer', 'propose_decision', { decision_type: 'tooling', mode: 'autonomous', context: 'IDE licences', amount: 60_000 });
    let final: Decision | undefined;
    await eventually(async () => {
      final = await roles.ok<Decision>('senior_developer', 'get_decision', { decision_id: d.decision_id });
      expect(final.status).toBe('expired');
    }, 30_000);
    await conclave.bus.drain();
    let lines: Entry[] = [];
    await eventually(async () => {
      // The decision's lines, and its escalation runs' (a reminder names its run: the escalation id).
      const byId = new Map<string, Entry>();
      for (const id of [d.decision_id, ...(final?.escalations.map((e) => e.escalation_id) ?? [])]) for (const l of await trail(roles, { object_id: id })) byId.set(l.id, l);
      lines = [...byId.values()];
      expect(lines.filter((l) => l.action === 'step:escalation.escalation_timeout')).toHaveLength(3);
    });
    expect(lines.filter((l) => l.action === 'step:escalation.remind').length).toBeGreaterThanOrEqual(3);
    for (const l of lines.filter((x) => x.action.startsWith('step:escalation.'))) {
      expect(l.actor).toMatchObject({ type: 'system', component: 'workflow:escalation' });
      expect(final?.escalations.map((e) => e.escalation_id)).toContain(l.actor.run_id);
    }
    for (const l of lines.filter((x) => x.action === 'step:escalation.escalation_timeout')) expect(l.actor.decision_id).toBe(d.decision_id);
    // The proposal itself is the senior developer's line; the expired decision is remembered.
    expect((await trail(roles, { action: 'propose_decision', role: 'senior_developer' })).length).toBe(1);
    const memory = await roles.ok<{ content: string; tags: string[] }>('cto', 'get_memory', { key: `decision/${d.decision_id}` });
    expect(memory.tags).toContain('expired');
  });
});
