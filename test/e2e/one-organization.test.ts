import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../functions/contracts/events.js';
import type { EndpointId } from '../../functions/contracts/roles.js';
import { DEPLOYMENT } from '../../functions/core/engineering/deployment.js';
import { getInitiative } from '../../functions/core/finance/initiatives.js';
import { keys } from '../../functions/core/keys.js';
import { eventually } from '../helpers/conclave.js';
import { Roles, startWorkflowConclave, type TaskView, type WorkflowConclave } from '../helpers/workflows.js';

/**
 * Issue #17, end to end: one MCP client per role on the local server, and the
 * parts acting as one organization — governed stages run the tools' rules,
 * approvals take effect once, everyone hears what concerns them, deadlines
 * escalate and stay escalated, and the inbox's actionable view empties when
 * the work is done.
 */

interface Message {
  message_id: string;
  subject: string;
  content: string;
  type: string;
  actionable: boolean;
  read: boolean;
}
interface InboxPage {
  threads: { messages: Message[] }[];
}
interface Status {
  status: string;
  current_stage: string | null;
  waiting_on: string[];
  waiting_for: { role: string; why: string }[];
  stages: { stage: string; status: string; rounds: number; last_outcome: string | null }[];
}
interface Decision {
  decision_id: string;
  status: string;
  awaiting: string | null;
  outcome: string | null;
}

const ALL: EndpointId[] = ['board', 'ceo', 'cto', 'chro', 'operations_head', 'product_manager', 'senior_architect', 'senior_developer', 'test_lead', 'uiux_engineer'];

async function messages(roles: Roles, role: EndpointId, args: Record<string, unknown> = {}): Promise<Message[]> {
  const page = await roles.ok<InboxPage>(role, 'read_inbox', { limit: 100, ...args });
  return page.threads.flatMap((t) => t.messages);
}

async function statusOf(roles: Roles, runId: string): Promise<Status> {
  return roles.ok<Status>('ceo', 'workflow_status', { run_id: runId });
}

async function until(roles: Roles, runId: string, status: string): Promise<Status> {
  let last: Status | undefined;
  await eventually(async () => {
    last = await statusOf(roles, runId);
    expect(last.status).toBe(status);
  }, 15_000);
  return last as Status;
}

/** Completes `role`'s open task on `decisionId` (a ruling or a vote). */
async function rule(roles: Roles, role: EndpointId, decisionId: string, outcome: 'approve' | 'reject', rationale: string): Promise<void> {
  const task = await roles.task(role, (t) => t.decision_id === decisionId);
  await roles.ok(role, 'complete_task', { task_id: task.task_id, outcome, result: { rationale } });
}

describe('one organization (issue #17)', () => {
  let conclave: WorkflowConclave;
  let roles: Roles;

  beforeAll(async () => {
    conclave = await startWorkflowConclave();
    roles = await Roles.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles?.close();
    await conclave?.close();
  });

  it('a feature run: a recorded critical defect fails the gate; the deploy stage is refused during a sev-1 and approved after it is resolved', async () => {
    const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', {
      workflow: 'feature_development',
      input: { title: 'Checkout v3', description: 'The new checkout.', requirements: ['pay', 'refund'] },
    });
    await roles.complete('product_manager', run.run_id, 'done', { release_id: 'v3.0.0', feature_id: 'checkout-v3' });
    await roles.complete('senior_architect', run.run_id, 'done', { summary: 'a payments service' });
    await roles.complete('cto', run.run_id, 'approve', { rationale: 'sound' });
    await roles.complete('senior_developer', run.run_id, 'done');

    // The gate counts recorded defects, never the caller's: the tool too.
    await roles.ok('test_lead', 'report_defect', { release: 'v3.0.0', title: 'double charge', description: 'paying twice charges twice', severity: 'critical' });
    const direct = await roles.ok<{ passed: boolean; failed_checks: string[] }>('test_lead', 'run_quality_gate', {
      release: 'v3.0.0',
      results: { tests_total: 100, tests_passed: 100, coverage_pct: 95, critical_defects: 0, major_defects: 0 },
    });
    expect(direct).toMatchObject({ passed: false, failed_checks: ['critical_defects'] });

    // The quality-gate stage runs the gate over the run's release: it fails whatever the test lead says, and the run goes back to implementation.
    const gateTask = await roles.task('test_lead', run.run_id);
    expect(gateTask.result_schema).toMatchObject({ required: ['tests_total', 'tests_passed', 'coverage_pct'] });
    expect(gateTask.context.subject).toEqual({ release_id: 'v3.0.0', feature_id: 'checkout-v3' });
    const gated = await roles.ok<{ task: TaskView & { result: Record<string, unknown> } }>('test_lead', 'complete_task', {
      task_id: gateTask.task_id,
      outcome: 'done',
      result: { tests_total: 100, tests_passed: 100, coverage_pct: 95 },
    });
    expect(gated.task.outcome).toBe('failed');
    expect(gated.task.result).toMatchObject({ gate_passed: false, failed_checks: ['critical_defects'] });
    await eventually(async () => expect((await statusOf(roles, run.run_id)).current_stage).toBe('implement'));

    // The fix ships as v3.0.1; its gate passes.
    await roles.complete('senior_developer', run.run_id, 'done', { summary: 'idempotent charges' });
    await roles.complete('test_lead', run.run_id, 'done', { release_id: 'v3.0.1', tests_total: 120, tests_passed: 120, coverage_pct: 92 });

    // Deploy approval runs approve_deployment's rule: refused while a severity-1 incident is open, the task stays open.
    const incident = await roles.ok<{ incident_id: string }>('operations_head', 'declare_incident', {
      title: 'Search down',
      severity: 1,
      description: 'search returns 500s',
      affected_services: ['search'],
    });
    const deploy = await roles.task('cto', run.run_id);
    const refused = await roles.refused('cto', 'complete_task', { task_id: deploy.task_id, outcome: 'approve', result: { rationale: 'ship it' } });
    expect(refused).toMatch(/severity-1 incident .* is open/);
    expect((await roles.task('cto', run.run_id)).task_id).toBe(deploy.task_id);
    expect((await statusOf(roles, run.run_id)).status).toBe('running');

    await roles.ok('operations_head', 'resolve_incident', { incident_id: incident.incident_id, resolution: 'rolled back' });
    const approved = await roles.ok<{ task: { result: Record<string, unknown> } }>('cto', 'complete_task', { task_id: deploy.task_id, outcome: 'approve', result: { rationale: 'ship it' } });
    expect(approved.task.result).toMatchObject({ release_id: 'v3.0.1' });
    await until(roles, run.run_id, 'succeeded');

    // The product manager hears how the run ended, once.
    await eventually(async () => {
      const outcome = (await messages(roles, 'product_manager')).filter((m) => m.subject.startsWith('Workflow succeeded') && m.content.includes(run.run_id));
      expect(outcome).toHaveLength(1);
    });
  });

  it('strategic planning: the budget stage refuses with no allocation; the board approves escalated budgets, allocated once even when the approval is delivered twice', async () => {
    const run = await roles.ok<{ run_id: string }>('ceo', 'start_workflow', {
      workflow: 'strategic_planning',
      input: { initiative: 'Platform rebuild', objective: 'Rebuild the platform', period: '2027-Q2', allocations: [{ department: 'engineering', amount: 1_500_000, owner: 'cto' }] },
    });
    await roles.complete('ceo', run.run_id, 'done', { notes: 'go' });
    const voteTask = await roles.task('cto', (t) => t.workflow === 'collaborative_decision' && t.title.includes('strategic_plan'));
    const voteDecision = voteTask.decision_id as string;
    // One message per vote request, and it names the vote task.
    const requests = (await messages(roles, 'cto')).filter((m) => m.content.includes(voteDecision) && m.actionable);
    expect(requests).toHaveLength(1);
    for (const role of ['ceo', 'cto', 'chro', 'operations_head'] as const) await rule(roles, role, voteDecision, 'approve', 'yes');
    // 1.5 M USD is above the CEO's authority: the approved plan goes to the board for ratification (a task for the board).
    await rule(roles, 'board', voteDecision, 'approve', 'ratified');

    const budgetTask = await roles.task('ceo', run.run_id);
    expect(budgetTask.stage).toBe('budget_allocation');
    expect(await roles.refused('ceo', 'complete_task', { task_id: budgetTask.task_id, outcome: 'done' })).toMatch(/not allocated yet.*engineering: 0 of 1,500,000 USD/);
    expect(await roles.ok('ceo', 'list_budgets', { period: '2027-Q2' })).toMatchObject({ budgets: [] });

    // Above the CEO's authority: escalated to the board, which rules through its task; Conclave applies it.
    const ceiling = await roles.ok<{ status: string; decision_id: string }>('ceo', 'set_budget', { department: 'engineering', period: '2027-Q2', ceiling: 1_500_000 });
    expect(ceiling.status).toBe('escalated');
    await rule(roles, 'board', ceiling.decision_id, 'approve', 'fits the plan');
    await eventually(async () => expect((await roles.ok<{ budgets: { ceiling: number }[] }>('ceo', 'list_budgets', { period: '2027-Q2' })).budgets[0]?.ceiling).toBe(1_500_000));

    const allocation = await roles.ok<{ status: string; decision_id: string }>('ceo', 'allocate_budget', { department: 'engineering', period: '2027-Q2', amount: 1_500_000, justification: 'the rebuild' });
    expect(allocation.status).toBe('escalated');
    await rule(roles, 'board', allocation.decision_id, 'approve', 'go');
    const allocated = async () => (await roles.ok<{ budgets: { allocated_total: number; allocations: number }[] }>('ceo', 'list_budgets', { period: '2027-Q2' })).budgets[0];
    await eventually(async () => expect(await allocated()).toMatchObject({ allocated_total: 1_500_000, allocations: 1 }));

    // The approval event delivered again applies nothing twice and tells the CEO nothing twice.
    const decided = await roles.ok<Decision>('ceo', 'get_decision', { decision_id: allocation.decision_id });
    conclave.bus.putEvents([
      {
        source: EVENT_SOURCE,
        detailType: 'Decision.Completed.v1',
        detail: {
          tenant_id: 'acme',
          correlation_id: 'redelivery-1',
          occurred_at: new Date().toISOString(),
          decision_id: allocation.decision_id,
          status: 'approved',
          consensus_score: null,
          outcome: decided.outcome ?? 'approved',
        },
      },
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await allocated()).toMatchObject({ allocated_total: 1_500_000, allocations: 1 });
    await eventually(async () => {
      const outcomes = (await messages(roles, 'ceo')).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(allocation.decision_id));
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]?.subject).toContain('approved by board');
      expect(outcomes[0]?.content).toContain('allocated 1,500,000 USD to engineering for 2027-Q2');
    });

    await roles.complete('ceo', run.run_id, 'done', { rationale: 'allocated' });
    await roles.complete('cto', run.run_id, 'done', { commitment: 'two squads' });
    await until(roles, run.run_id, 'succeeded');
  });

  it('strategic initiatives and deployments: the ruling takes effect once (even when the approval is delivered twice), a rejection is recorded, the initiator hears once', async () => {
    const redeliver = async (decisionId: string) => {
      const decided = await roles.ok<Decision>('ceo', 'get_decision', { decision_id: decisionId });
      conclave.bus.putEvents([
        {
          source: EVENT_SOURCE,
          detailType: 'Decision.Completed.v1',
          detail: { tenant_id: 'acme', correlation_id: `redelivery-${decisionId}`, occurred_at: new Date().toISOString(), decision_id: decisionId, status: decided.status, consensus_score: null, outcome: decided.outcome ?? decided.status },
        },
      ]);
      await conclave.bus.drain();
    };
    const outcomes = async (role: EndpointId, decisionId: string) => (await messages(roles, role)).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(decisionId));

    // Above the CEO's authority: escalated to the board; its approval records the initiative once.
    const initiative = await roles.ok<{ status: string; decision_id: string; initiative_id: string }>('ceo', 'approve_strategic_initiative', {
      initiative: 'Enter the Japanese market',
      business_value: 'a second home market',
      budget: 2_500_000,
    });
    expect(initiative.status).toBe('escalated');
    const stored = () => getInitiative(conclave.deps, 'acme', initiative.initiative_id);
    expect(await stored()).toMatchObject({ status: 'escalated' });
    await rule(roles, 'board', initiative.decision_id, 'approve', 'go east');
    await eventually(async () => expect(await stored()).toMatchObject({ status: 'approved', decided_by: 'board' }));
    const recorded = await stored();
    await redeliver(initiative.decision_id);
    expect(await stored()).toEqual(recorded);
    await eventually(async () => {
      const told = await outcomes('ceo', initiative.decision_id);
      expect(told).toHaveLength(1);
      expect(told[0]?.subject).toContain('approved by board');
      expect(told[0]?.content).toContain(`initiative ${initiative.initiative_id} "Enter the Japanese market" (2,500,000 USD) recorded as approved`);
    });

    // A deployment put to the CEO (hierarchical): awaiting until approved, then approved once with its plan.
    await roles.ok('test_lead', 'run_quality_gate', { release: 'v4.0.0', results: { tests_total: 50, tests_passed: 50, coverage_pct: 90, critical_defects: 0, major_defects: 0 } });
    const asked = await roles.ok<{ approved: boolean; status: string; decision_id: string; deployment_id: string; awaiting: string }>('cto', 'approve_deployment', {
      release: 'v4.0.0',
      environments: ['production', 'staging'],
      mode: 'hierarchical',
    });
    expect(asked).toMatchObject({ approved: false, status: 'awaiting', awaiting: 'ceo' });
    const record = () => conclave.deps.store.get(keys.record('acme', DEPLOYMENT, asked.deployment_id));
    await rule(roles, 'ceo', asked.decision_id, 'approve', 'ship it');
    await eventually(async () => expect(await record()).toMatchObject({ status: 'approved', approved: true, decided_by: 'ceo' }));
    const deployed = await record();
    await redeliver(asked.decision_id);
    expect(await record()).toEqual(deployed);
    await eventually(async () => {
      const told = await outcomes('cto', asked.decision_id);
      expect(told).toHaveLength(1);
      expect(told[0]?.content).toMatch(/deployment \w+ of v4\.0\.0 approved/);
    });

    // Put to the board (human) and rejected: recorded, and the CTO told once.
    const vetoed = await roles.ok<{ status: string; decision_id: string; deployment_id: string; awaiting: string }>('cto', 'approve_deployment', { release: 'v4.0.0', environments: ['staging'], mode: 'human' });
    expect(vetoed).toMatchObject({ status: 'awaiting', awaiting: 'board' });
    await rule(roles, 'board', vetoed.decision_id, 'reject', 'freeze until the audit');
    await eventually(async () => expect(await conclave.deps.store.get(keys.record('acme', DEPLOYMENT, vetoed.deployment_id))).toMatchObject({ status: 'rejected', decided_by: 'board' }));
    await redeliver(vetoed.decision_id);
    await eventually(async () => expect((await outcomes('cto', vetoed.decision_id)).map((m) => m.subject)).toEqual([expect.stringContaining('rejected by board')]));
  });

  it('a hire beyond the department budget escalates; the CHRO hears the ruling', async () => {
    await roles.ok('ceo', 'set_budget', { department: 'people', ceiling: 100_000 });
    const hire = await roles.ok<{ approved: boolean; status: string; awaiting: string | null; decision_id: string; rationale: string }>('chro', 'approve_hire', {
      role_title: 'Staff Engineer',
      department: 'people',
      annual_cost: 180_000,
      justification: 'platform team',
    });
    expect(hire).toMatchObject({ approved: false, awaiting: 'ceo' });
    expect(hire.rationale).toMatch(/over-allocate the people budget/);
    // The ruler gets a task (and its message); rejecting it tells the CHRO.
    await rule(roles, 'ceo', hire.decision_id, 'reject', 'not this quarter');
    await eventually(async () => {
      const outcome = (await messages(roles, 'chro')).filter((m) => m.content.includes(hire.decision_id) && m.subject.startsWith('Outcome:'));
      expect(outcome).toHaveLength(1);
      expect(outcome[0]?.subject).toContain('rejected by ceo');
    });
  });

  it('a human-mode decision gives the board a task and a message', async () => {
    const d = await roles.ok<Decision>('cto', 'propose_decision', { decision_type: 'vendor_contract', mode: 'human', context: 'Sign the three-year cloud contract' });
    expect(d.awaiting).toBe('board');
    const task = await roles.task('board', (t) => t.decision_id === d.decision_id);
    expect(task.kind).toBe('approval');
    await eventually(async () => {
      const asks = (await messages(roles, 'board', { actionable: true })).filter((m) => m.content.includes(task.task_id));
      expect(asks).toHaveLength(1);
    });
    await rule(roles, 'board', d.decision_id, 'approve', 'good terms');
    await eventually(async () => expect((await messages(roles, 'cto')).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(d.decision_id))).toHaveLength(1));
  });

  it('escalate_to_board: the board hears once — one urgent message naming its ruling task — and the request settles when it rules', async () => {
    const d = await roles.ok<Decision>('cto', 'propose_decision', { decision_type: 'cloud_vendor', mode: 'hierarchical', context: 'Move to a second cloud provider', amount: 400_000 });
    expect(d.awaiting).toBe('ceo');
    await roles.task('ceo', (t) => t.decision_id === d.decision_id);
    const escalated = await roles.ok<{ message_id: string; escalation_id: string }>('ceo', 'escalate_to_board', { decision_id: d.decision_id, urgency: 'critical', reason: 'strategic lock-in' });
    const task = await roles.task('board', (t) => t.decision_id === d.decision_id);
    expect(task.task_id).toBe(`${escalated.escalation_id}.ruling.0.board`);
    // Whatever else lands (the ruling run's task, its Task.Created), the board has one message about this escalation.
    await conclave.bus.drain();
    const about = (await messages(roles, 'board')).filter((m) => m.content.includes(d.decision_id) || m.content.includes(task.task_id));
    expect(about.map((m) => m.subject)).toHaveLength(1);
    expect(about[0]).toMatchObject({ message_id: escalated.message_id, type: 'escalation', priority: 'urgent', actionable: true });
    expect(about[0]?.content).toContain(task.task_id);
    // The CEO's own ruling request left its actionable view when the decision moved to the board.
    await eventually(async () => expect((await messages(roles, 'ceo', { actionable: true })).filter((m) => m.content.includes(d.decision_id))).toEqual([]));

    await roles.ok('board', 'complete_task', { task_id: task.task_id, outcome: 'approve', result: { rationale: 'worth the resilience' } });
    await eventually(async () => expect((await messages(roles, 'board', { actionable: true })).filter((m) => m.content.includes(d.decision_id))).toEqual([]));
    // The initiator of the decision and the initiator of the escalation each hear how it ended, once.
    await eventually(async () => expect((await messages(roles, 'cto')).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(d.decision_id)).map((m) => m.subject)).toEqual([
      `Outcome: your cloud vendor request (decision ${d.decision_id}) was approved by board`,
    ]));
    await eventually(async () => expect((await messages(roles, 'ceo')).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(d.decision_id)).map((m) => m.subject)).toEqual([
      `Outcome: the cloud vendor request (decision ${d.decision_id}) you escalated was approved by board`,
    ]));
  });

  it('waiting_on names the pending voters; a missed quorum escalates at the deadline and stays escalated', async () => {
    const d = await roles.ok<Decision>('product_manager', 'propose_decision', {
      decision_type: 'roadmap',
      mode: 'collaborative',
      context: 'Drop the legacy API in Q3?',
      participants: ['cto', 'senior_architect', 'senior_developer', 'uiux_engineer'],
      quorum: 0.75,
      deadline: new Date(Date.now() + 4000).toISOString(),
    });
    await roles.ok('cto', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 0.9 });
    await eventually(async () => {
      const s = await statusOf(roles, d.decision_id);
      expect([...s.waiting_on].sort()).toEqual(['senior_architect', 'senior_developer', 'uiux_engineer']);
    });
    // The voter's request left its actionable view when it voted.
    await eventually(async () => expect((await messages(roles, 'cto', { actionable: true })).filter((m) => m.content.includes(d.decision_id))).toEqual([]));

    await eventually(async () => expect((await roles.ok<Decision>('ceo', 'get_decision', { decision_id: d.decision_id })).status).toBe('escalated'), 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await roles.ok<Decision>('ceo', 'get_decision', { decision_id: d.decision_id });
    expect(later).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
    expect(later.outcome).toMatch(/quorum not met/);
    await rule(roles, 'ceo', d.decision_id, 'approve', 'settled');
    await eventually(async () => expect((await messages(roles, 'product_manager')).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(d.decision_id))).toHaveLength(1));
  });

  it('once every task is closed, every role’s actionable inbox is empty, and no working role shows stale', async () => {
    await eventually(async () => {
      for (const role of ALL) {
        expect((await roles.ok<{ tasks: TaskView[] }>(role, 'my_tasks')).tasks.map((t) => t.title), `${role}'s open tasks`).toEqual([]);
        expect((await messages(roles, role, { actionable: true })).map((m) => m.subject), `${role}'s actionable messages`).toEqual([]);
      }
    }, 15_000);
    const { agents } = await roles.ok<{ agents: { role: string; status: string }[] }>('ceo', 'list_agents');
    for (const role of ['ceo', 'cto', 'chro', 'test_lead', 'product_manager'] as const) expect(agents.find((a) => a.role === role)?.status).not.toBe('stale');
  });
});
