import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_SOURCE, type BusEvent } from '../../functions/contracts/events.js';
import { DependencyError } from '../../functions/core/errors.js';
import { eventually } from '../helpers/conclave.js';
import { Roles, startWorkflowConclave, type TaskView, type WorkflowConclave } from '../helpers/workflows.js';

interface Stage {
  stage: string;
  status: string;
  rounds: number;
  assignees: string[];
  last_outcome: string | null;
}
interface Status {
  run_id: string;
  workflow: string;
  status: string;
  cause: string | null;
  outcome: string | null;
  current_stage: string | null;
  waiting_on: string[];
  stages: Stage[];
  open_tasks: { task_id: string; assignee: string }[];
  history: { event: string; stage: string | null; detail: string }[];
}
interface Decision {
  decision_id: string;
  status: string;
  awaiting: string | null;
  outcome: string | null;
  escalations: { escalation_id: string; from: string; to: string }[];
}
interface InboxPage {
  threads: { messages: { subject: string; content: string; from: string; type: string }[] }[];
}

const FEATURE = { title: 'Saved searches', description: 'Users save a search and get told about new matches.', requirements: ['save', 'notify'] };

async function statusOf(roles: Roles, runId: string): Promise<Status> {
  return roles.ok<Status>('ceo', 'workflow_status', { run_id: runId });
}

async function until(roles: Roles, runId: string, status: string, timeoutMs = 10_000): Promise<Status> {
  let last: Status | undefined;
  await eventually(async () => {
    last = await statusOf(roles, runId);
    expect(last.status).toBe(status);
  }, timeoutMs);
  return last as Status;
}

async function inbox(roles: Roles, role: Parameters<Roles['ok']>[0]): Promise<InboxPage['threads'][number]['messages']> {
  const page = await roles.ok<InboxPage>(role, 'read_inbox', { limit: 100 });
  return page.threads.flatMap((t) => t.messages);
}

/** Drives a feature development run from design review to the end with `reviews` and `gates` outcomes in order. */
async function driveFeature(roles: Roles, runId: string, reviews: string[], gates: string[]): Promise<void> {
  await roles.complete('product_manager', runId, 'done', { definition: 'saved searches', acceptance_criteria: ['save', 'notify'], release_id: `rel-${runId}` });
  for (const review of reviews) {
    await roles.complete('senior_architect', runId, 'done', { design: 'a searches table and a notifier' });
    await roles.complete('cto', runId, review, { rationale: review === 'approve' ? 'sound' : 'no observability' });
  }
  for (const gate of gates) {
    await roles.complete('senior_developer', runId, 'done', { changes: 'feature + tests' });
    await roles.complete('test_lead', runId, gate, gate === 'done' ? { report: 'all green', tests_total: 100, tests_passed: 100, coverage_pct: 90 } : { reason: 'notifications sent twice' });
  }
}

describe('workflows over MCP', () => {
  let conclave: WorkflowConclave;
  let roles: Roles;
  let other: Roles;
  const events: BusEvent[] = [];

  beforeAll(async () => {
    conclave = await startWorkflowConclave();
    roles = await Roles.of(conclave, 'acme');
    other = await Roles.of(conclave, 'globex');
    conclave.bus.tap((e) => events.push(e));
  });
  afterAll(async () => {
    await roles.close();
    await other.close();
    await conclave.close();
  });

  describe('feature development', () => {
    it('runs all six stages, each a task of its role, and succeeds', async () => {
      const run = await roles.ok<{ run_id: string; status: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
      expect(run.status).toBe('running');
      const define = await roles.task('product_manager', run.run_id);
      expect(define).toMatchObject({ kind: 'work', stage: 'define', allowed_outcomes: ['done', 'failed'], status: 'open' });
      const waiting = await statusOf(roles, run.run_id);
      expect(waiting).toMatchObject({ current_stage: 'define', waiting_on: ['product_manager'] });
      expect(waiting.open_tasks.map((t) => t.task_id)).toEqual([define.task_id]);

      await roles.complete('product_manager', run.run_id, 'done', { definition: 'saved searches', release_id: `rel-${run.run_id}` });
      // The next stage sees what the earlier one produced.
      const design = await roles.task('senior_architect', run.run_id);
      expect((design.context.define as { result: unknown }).result).toEqual({ definition: 'saved searches', release_id: `rel-${run.run_id}` });
      expect(design.context.subject).toEqual({ release_id: `rel-${run.run_id}` });
      await roles.complete('senior_architect', run.run_id, 'done', { design: 'a table' });
      const review = await roles.task('cto', run.run_id);
      expect(review).toMatchObject({ kind: 'approval', allowed_outcomes: ['approve', 'reject'] });
      await roles.complete('cto', run.run_id, 'approve', { rationale: 'sound' });
      await roles.complete('senior_developer', run.run_id, 'done');
      await roles.complete('test_lead', run.run_id, 'done', { report: 'all green', tests_total: 100, tests_passed: 100, coverage_pct: 90 });
      // Deploy approval: the CTO or the operations head; the first answer counts, the other task is cancelled.
      const opsTask = await roles.task('operations_head', run.run_id);
      const approved = await roles.complete('cto', run.run_id, 'approve', { rationale: 'ship it' });
      expect(approved.resumed).toBe(true);

      const done = await until(roles, run.run_id, 'succeeded');
      expect(done.stages.map((s) => [s.stage, s.status, s.rounds])).toEqual([
        ['define', 'done', 1],
        ['design', 'done', 1],
        ['architecture_review', 'done', 1],
        ['implement', 'done', 1],
        ['quality_gate', 'done', 1],
        ['deploy_approval', 'done', 1],
      ]);
      expect(done).toMatchObject({ outcome: 'approved for deployment', open_tasks: [], waiting_on: [], current_stage: null });
      await eventually(async () =>
        expect((await statusOf(roles, run.run_id)).history.map((h) => h.event)).toEqual(expect.arrayContaining(['started', 'stage_opened', 'task_completed', 'ended'])),
      );
      const { tasks } = await roles.ok<{ tasks: TaskView[] }>('operations_head', 'my_tasks', { status: 'cancelled' });
      expect(tasks.map((t) => t.task_id)).toContain(opsTask.task_id);

      const listed = await roles.ok<{ runs: { run_id: string }[] }>('ceo', 'list_workflow_runs', { workflow: 'feature_development', status: 'succeeded' });
      expect(listed.runs.map((r) => r.run_id)).toContain(run.run_id);
      await conclave.bus.drain();
      const mine = events.filter((e) => (e.detail as { run_id?: string }).run_id === run.run_id).map((e) => e['detail-type']);
      expect(mine.filter((t) => t === 'Workflow.Started.v1')).toHaveLength(1);
      expect(mine.filter((t) => t === 'Workflow.StageChanged.v1')).toHaveLength(6);
      expect(mine.filter((t) => t === 'Task.Created.v1')).toHaveLength(7);
      expect(mine.filter((t) => t === 'Task.Completed.v1')).toHaveLength(6);
      expect(mine.filter((t) => t === 'Workflow.Completed.v1')).toHaveLength(1);
    });

    it('sends a rejected design back to the architect, in a new round, and goes on when approved', async () => {
      const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
      await roles.complete('product_manager', run.run_id, 'done', { release_id: `rel-${run.run_id}` });
      await roles.complete('senior_architect', run.run_id, 'done');
      const first = await roles.complete('cto', run.run_id, 'reject', { rationale: 'no observability' });
      const redesign = await roles.task('senior_architect', run.run_id);
      expect(redesign.task_id).not.toBe(first.task.task_id);
      expect((redesign.context.architecture_review as { outcome: string; result: { rationale: string } }).result.rationale).toBe('no observability');
      await driveFeatureFromRedesign();
      const done = await until(roles, run.run_id, 'succeeded');
      expect(done.stages.find((s) => s.stage === 'design')?.rounds).toBe(2);
      expect(done.stages.find((s) => s.stage === 'architecture_review')?.rounds).toBe(2);

      async function driveFeatureFromRedesign() {
        await roles.complete('senior_architect', run.run_id, 'done', { design: 'with metrics' });
        await roles.complete('cto', run.run_id, 'approve');
        await roles.complete('senior_developer', run.run_id, 'done');
        await roles.complete('test_lead', run.run_id, 'done', { report: 'all green', tests_total: 100, tests_passed: 100, coverage_pct: 90 });
        await roles.complete('operations_head', run.run_id, 'approve');
      }
    });

    it('sends a failed quality gate back to implementation', async () => {
      const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
      await driveFeature(roles, run.run_id, ['approve'], ['failed', 'done']);
      await roles.complete('cto', run.run_id, 'approve');
      const done = await until(roles, run.run_id, 'succeeded');
      expect(done.stages.find((s) => s.stage === 'implement')).toMatchObject({ rounds: 2, status: 'done' });
      expect(done.stages.find((s) => s.stage === 'quality_gate')).toMatchObject({ rounds: 2, last_outcome: 'done' });
    });

    it('bounds the review loop: a third rejection fails the run, tells the initiator, and leaves no task open', async () => {
      const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
      await driveFeature(roles, run.run_id, ['reject', 'reject', 'reject'], []);
      const failed = await until(roles, run.run_id, 'failed');
      expect(failed.cause).toBe('Conclave.ReviewRejected: the architecture review rejected the design 3 times');
      expect(failed.open_tasks).toEqual([]);
      await eventually(async () => {
        const notices = (await inbox(roles, 'product_manager')).filter((m) => m.subject.startsWith('Workflow failed') && m.content.includes(run.run_id));
        expect(notices).toHaveLength(1);
        expect(notices[0]?.content).toContain('architecture review rejected the design 3 times');
      });
    });

    it('ends the run as failed, with the assignee’s reason, when a work stage is completed as failed', async () => {
      const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
      const result = await roles.complete('product_manager', run.run_id, 'failed', { reason: 'no user demand' });
      expect(result.resumed).toBe(true);
      const failed = await until(roles, run.run_id, 'failed');
      expect(failed.cause).toBe('Conclave.StageFailed: product_manager reported the define stage failed: no user demand');
      expect(failed.stages.find((s) => s.stage === 'define')?.last_outcome).toBe('Conclave.StageFailed');
      expect(failed.stages.find((s) => s.stage === 'design')?.status).toBe('pending');
    });

    it('refuses to complete another role’s task, a closed task, or a task with the wrong outcome — and changes nothing', async () => {
      const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
      const task = await roles.task('product_manager', run.run_id);
      expect(await roles.refused('cto', 'complete_task', { task_id: task.task_id, outcome: 'done' })).toContain('only the assignee');
      expect(await roles.refused('product_manager', 'complete_task', { task_id: task.task_id, outcome: 'approve' })).toContain('outcome must be done or failed');
      expect(await other.refused('product_manager', 'complete_task', { task_id: task.task_id, outcome: 'done' })).toContain('not_found');
      expect((await other.ok<{ tasks: TaskView[] }>('product_manager', 'my_tasks')).tasks).toEqual([]);
      expect(await other.refused('ceo', 'workflow_status', { run_id: run.run_id })).toContain('not_found');
      expect((await statusOf(roles, run.run_id)).current_stage).toBe('define');
      // The stage declares its result (my_tasks shows the schema); a result without it is refused and changes nothing.
      expect(task.result_schema).toMatchObject({ required: ['release_id'] });
      expect(await roles.refused('product_manager', 'complete_task', { task_id: task.task_id, outcome: 'done' })).toContain('result.release_id is required');
      await roles.ok('product_manager', 'complete_task', { task_id: task.task_id, outcome: 'done', result: { release_id: 'v9.9.9' } });
      expect(await roles.refused('product_manager', 'complete_task', { task_id: task.task_id, outcome: 'done' })).toContain('already completed');
    });

    it('validates the input per workflow', async () => {
      expect(await roles.refused('product_manager', 'start_workflow', { workflow: 'feature_development', input: { title: 'x' } })).toContain('input.description');
      expect(await roles.refused('operations_head', 'start_workflow', { workflow: 'incident_response', input: { title: 'x', severity: 7 } })).toContain('input.severity');
      expect(await roles.refused('ceo', 'start_workflow', { workflow: 'strategic_planning', input: { initiative: 'x', objective: 'y', allocations: [] } })).toContain('input.allocations');
    });
  });

  describe('incident response', () => {
    it('starts from an alert sent to the bus, tells the leadership, loops on a failed verification and stores the postmortem as a memory', async () => {
      conclave.bus.putEvents([
        {
          source: INTEGRATION_SOURCE,
          detailType: 'Integration.Alert.v1',
          detail: { tenant_id: 'acme', severity: 1, title: 'Checkout 5xx above 5%', description: 'CloudWatch alarm checkout-5xx', alert_id: 'alarm:checkout-5xx' },
        },
      ]);
      const triage = await roles.task('operations_head', (t) => t.workflow === 'incident_response' && t.stage === 'triage');
      const runId = triage.run_id;
      // The alert itself reached the leadership (once: the run does not tell them again).
      await eventually(async () => expect((await inbox(roles, 'cto')).filter((m) => m.subject === '[SEV1] Checkout 5xx above 5%')).toHaveLength(1));
      // The run's incident is on record while it is worked: deployments are refused meanwhile.
      const open = await roles.ok<{ incidents: { incident_id: string; status: string; severity: number }[] }>('operations_head', 'list_incidents', { status: 'open' });
      expect(open.incidents.find((i) => i.incident_id === runId)).toMatchObject({ status: 'open', severity: 1 });
      const blocked = await roles.ok<{ approved: boolean; reasons: string[] }>('cto', 'approve_deployment', { release: 'v9.9.9', environments: ['staging'] });
      expect(blocked.approved).toBe(false);
      expect(blocked.reasons.join(' ')).toContain('severity-1');
      await roles.complete('operations_head', runId, 'done', { impact: 'checkout down for 12% of users', mitigation: 'roll back' });
      await roles.complete('senior_developer', runId, 'done', { root_cause: 'connection pool exhausted', fix: 'raise the pool size' });
      await roles.complete('test_lead', runId, 'failed', { reason: 'still failing under load' });
      await roles.complete('senior_developer', runId, 'done', { root_cause: 'connection pool exhausted', fix: 'pool size and timeouts' });
      await roles.complete('test_lead', runId, 'done', { report: 'load test green' });
      await roles.complete('operations_head', runId, 'done', { summary: 'pool exhaustion after a deploy', actions: ['alarm on pool usage'] });
      const done = await until(roles, runId, 'succeeded');
      expect(done.outcome).toBe(`resolved; postmortem stored as memory postmortem/${runId}`);
      expect(done.stages.find((s) => s.stage === 'fix')?.rounds).toBe(2);
      const memory = await roles.ok<{ key: string; content: string; tags: string[] }>('senior_developer', 'get_memory', { key: `postmortem/${runId}` });
      expect(memory.tags).toEqual(expect.arrayContaining(['postmortem', 'incident', 'sev1']));
      expect(memory.content).toContain('connection pool exhausted');
      expect(memory.content).toContain('alert alarm:checkout-5xx');
      // Every round: the failed verification and the first fix are part of the postmortem.
      expect(memory.content).toContain('Verification (round 1)');
      expect(memory.content).toContain('still failing under load');
      expect(memory.content).toContain('Fix (round 2)');
      const resolved = await roles.ok<{ incidents: { incident_id: string; status: string }[] }>('operations_head', 'list_incidents', { status: 'resolved' });
      expect(resolved.incidents.find((i) => i.incident_id === runId)?.status).toBe('resolved');
    });

    it('tells the leadership at once when a severity 1 incident is started by a tool', async () => {
      const run = await roles.ok<{ run_id: string }>('operations_head', 'start_workflow', { workflow: 'incident_response', input: { title: 'Payments down', severity: 1 } });
      await eventually(async () => {
        const alerts = (await inbox(roles, 'chro')).filter((m) => m.subject === '[SEV1] Incident: Payments down');
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toMatchObject({ from: 'conclave', type: 'escalation' });
      });
      const minor = await roles.ok<{ run_id: string }>('operations_head', 'start_workflow', { workflow: 'incident_response', input: { title: 'Slow search', severity: 3 } });
      await roles.task('operations_head', minor.run_id);
      expect((await inbox(roles, 'chro')).some((m) => m.subject.includes('Slow search'))).toBe(false);
      expect((await statusOf(roles, run.run_id)).current_stage).toBe('triage');
    });
  });

  describe('escalations (the board and superiors rule through tasks)', () => {
    async function escalated(role: Parameters<Roles['ok']>[0], amount: number): Promise<Decision> {
      return roles.ok<Decision>(role, 'propose_decision', { decision_type: 'acquisition', mode: 'autonomous', context: `Commit ${amount} USD`, amount });
    }

    it('puts an approval in the board’s tasks; approving it approves the decision', async () => {
      const d = await escalated('ceo', 2_000_000);
      expect(d).toMatchObject({ status: 'escalated', awaiting: 'board' });
      const task = await roles.task('board', (t) => t.decision_id === d.decision_id);
      expect(task).toMatchObject({ kind: 'approval', workflow: 'escalation', stage: 'ruling' });
      const done = await roles.ok<{ resumed: boolean }>('board', 'complete_task', { task_id: task.task_id, outcome: 'approve', result: { rationale: 'Strategic fit' } });
      expect(done.resumed).toBe(true);
      expect(await roles.ok<Decision>('ceo', 'get_decision', { decision_id: d.decision_id })).toMatchObject({ status: 'approved', outcome: 'approved by board: Strategic fit' });
      const runId = d.escalations[0]?.escalation_id as string;
      expect((await until(roles, runId, 'succeeded')).outcome).toContain('approved');
    });

    it('rejecting the board’s task rejects the decision', async () => {
      const d = await escalated('ceo', 3_000_000);
      const task = await roles.task('board', (t) => t.decision_id === d.decision_id);
      await roles.ok('board', 'complete_task', { task_id: task.task_id, outcome: 'reject', result: { rationale: 'Too expensive' } });
      expect(await roles.ok<Decision>('ceo', 'get_decision', { decision_id: d.decision_id })).toMatchObject({ status: 'rejected', outcome: 'rejected by board: Too expensive' });
      await until(roles, d.escalations[0]?.escalation_id as string, 'succeeded');
    });

    it('lets the awaited superior rule through its task, and a ruling above the ruler’s authority opens the next hop’s task', async () => {
      const d = await escalated('senior_developer', 600_000);
      expect(d.awaiting).toBe('ceo');
      const task = await roles.task('ceo', (t) => t.decision_id === d.decision_id);
      await roles.ok('ceo', 'complete_task', { task_id: task.task_id, outcome: 'approve', result: { rationale: 'worth it' } });
      expect((await roles.ok<Decision>('ceo', 'get_decision', { decision_id: d.decision_id })).status).toBe('approved');

      const big = await roles.ok<Decision>('cto', 'propose_decision', { decision_type: 'datacenter', mode: 'hierarchical', context: 'Build a region', amount: 2_000_000 });
      expect(big).toMatchObject({ status: 'pending', awaiting: 'ceo' });
      const up = await roles.ok<Decision>('ceo', 'rule_on_decision', { decision_id: big.decision_id, ruling: 'approve', rationale: 'yes, if the board agrees' });
      expect(up).toMatchObject({ status: 'escalated', awaiting: 'board' });
      const boardTask = await roles.task('board', (t) => t.decision_id === big.decision_id);
      await roles.ok('board', 'complete_task', { task_id: boardTask.task_id, outcome: 'approve', result: { rationale: 'agreed' } });
      expect((await roles.ok<Decision>('ceo', 'get_decision', { decision_id: big.decision_id })).status).toBe('approved');
    });

    it('closes the task when the decision is ruled some other way (rule_on_decision)', async () => {
      const d = await escalated('ceo', 4_000_000);
      const task = await roles.task('board', (t) => t.decision_id === d.decision_id);
      await roles.ok('board', 'rule_on_decision', { decision_id: d.decision_id, ruling: 'approve', rationale: 'directly' });
      await eventually(async () => {
        const { tasks } = await roles.ok<{ tasks: TaskView[] }>('board', 'my_tasks', { status: 'all' });
        expect(tasks.find((t) => t.task_id === task.task_id)?.status).toBe('cancelled');
      });
      await until(roles, d.escalations[0]?.escalation_id as string, 'succeeded');
    });
  });

  describe('collaborative decisions and strategic planning', () => {
    it('asks each participant to vote through a task and closes when all have voted', async () => {
      const d = await roles.ok<Decision>('cto', 'propose_decision', {
        decision_type: 'technology_adoption',
        mode: 'collaborative',
        context: 'Adopt Postgres 17',
        participants: ['senior_architect', 'senior_developer'],
      });
      const first = await roles.task('senior_architect', (t) => t.decision_id === d.decision_id);
      expect(first).toMatchObject({ workflow: 'collaborative_decision', kind: 'approval' });
      await roles.ok('senior_architect', 'complete_task', { task_id: first.task_id, outcome: 'approve', result: { confidence: 0.9, rationale: 'mature' } });
      // The other participant votes with the vote tool: its task is closed for it.
      await roles.ok('senior_developer', 'vote', { decision_id: d.decision_id, vote: 'approve', confidence: 0.8 });
      const decided = await roles.ok<Decision>('cto', 'get_decision', { decision_id: d.decision_id });
      expect(decided.status).toBe('approved');
      await until(roles, d.decision_id, 'succeeded');
      const { tasks } = await roles.ok<{ tasks: TaskView[] }>('senior_developer', 'my_tasks', { status: 'all' });
      expect(tasks.find((t) => t.decision_id === d.decision_id)?.status).not.toBe('open');
    });

    it('strategic planning: proposal → leadership vote → budget allocation → a task per department', async () => {
      const run = await roles.ok<{ run_id: string }>('ceo', 'start_workflow', {
        workflow: 'strategic_planning',
        input: {
          initiative: 'Enter the German market',
          objective: 'Launch in Germany by Q3',
          period: '2027-Q1',
          allocations: [
            { department: 'engineering', amount: 300_000, owner: 'cto' },
            { department: 'people', amount: 100_000, owner: 'chro' },
          ],
        },
      });
      await roles.complete('ceo', run.run_id, 'done', { notes: 'priority one' });
      // The leadership vote is a collaborative decision with its own run: a vote task for each of the four.
      const voteTask = await roles.task('cto', (t) => t.workflow === 'collaborative_decision' && t.title.includes('strategic_plan'));
      const decisionId = voteTask.decision_id as string;
      for (const role of ['ceo', 'cto', 'chro', 'operations_head'] as const) {
        const task = await roles.task(role, (t) => t.decision_id === decisionId);
        await roles.ok(role, 'complete_task', { task_id: task.task_id, outcome: 'approve' });
      }
      // The budget stage completes only once the planned allocations exist for the period.
      const refused = await roles.call('ceo', 'complete_task', { task_id: (await roles.task('ceo', run.run_id)).task_id, outcome: 'done', result: {} });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toMatch(/not allocated yet/);
      for (const [department, amount] of [['engineering', 300_000], ['people', 100_000]] as const) {
        await roles.ok('ceo', 'set_budget', { department, period: '2027-Q1', ceiling: amount });
        await roles.ok('ceo', 'allocate_budget', { department, period: '2027-Q1', amount, justification: 'the German launch' });
      }
      await roles.complete('ceo', run.run_id, 'done', { allocations: 'done with allocate_budget' });
      await roles.complete('cto', run.run_id, 'done', { commitment: 'two squads' });
      await roles.complete('chro', run.run_id, 'done', { commitment: 'hire 4' });
      const done = await until(roles, run.run_id, 'succeeded');
      expect(done.stages.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
      expect(done.stages.find((s) => s.stage === 'department_tasks')?.assignees.sort()).toEqual(['chro', 'cto']);
      expect((await roles.ok<Decision>('ceo', 'get_decision', { decision_id: decisionId })).status).toBe('approved');
    });
  });
});

describe('escalation timeouts (waits shortened for the test)', () => {
  let conclave: WorkflowConclave;
  let roles: Roles;

  beforeAll(async () => {
    // Reminders every 6 h and three of them per hop: about 0.4 s per reminder here.
    conclave = await startWorkflowConclave({ workflows: { timeScale: 2e-5 } });
    roles = await Roles.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles.close();
    await conclave.close();
  });

  it('reminds, then escalates to the next superior on each timeout, and expires at the board — never hangs', async () => {
    const d = await roles.ok<Decision>('senior_developer', 'propose_decision', { decision_type: 'tooling', mode: 'autonomous', context: 'IDE licences', amount: 60_000 });
    expect(d.awaiting).toBe('cto');
    const ctoTask = await roles.task('cto', (t) => t.decision_id === d.decision_id);
    let final: Decision | undefined;
    await eventually(async () => {
      final = await roles.ok<Decision>('senior_developer', 'get_decision', { decision_id: d.decision_id });
      expect(final.status).toBe('expired');
    }, 20_000);
    expect(final?.escalations.map((e) => `${e.from}->${e.to}`)).toEqual(['senior_developer->cto', 'cto->ceo', 'ceo->board']);
    expect(final?.outcome).toContain('board did not rule');
    // One timed-out run per hop, each with its cause; every task expired; reminders reached the inbox.
    for (const [i, e] of (final?.escalations ?? []).entries()) {
      const status = await until(roles, e.escalation_id, 'timed_out');
      expect(status.cause).toContain(i < 2 ? `escalated to ${final?.escalations[i + 1]?.to}` : 'expired');
      expect(status.open_tasks).toEqual([]);
    }
    const { tasks } = await roles.ok<{ tasks: TaskView[] }>('cto', 'my_tasks', { status: 'expired' });
    expect(tasks.find((t) => t.task_id === ctoTask.task_id)?.reminders).toBe(3);
    expect((await inbox(roles, 'board')).filter((m) => m.subject.startsWith('Reminder') && m.content.includes(final?.escalations[2]?.escalation_id ?? '?')).length).toBe(3);
    expect((await roles.ok<{ tasks: TaskView[] }>('board', 'my_tasks')).tasks.filter((t) => t.decision_id === d.decision_id)).toEqual([]);
    // The initiator hears each move up the chain once, then how it ended, once.
    await eventually(async () => {
      const told = (await inbox(roles, 'senior_developer')).filter((m) => m.content.includes(d.decision_id)).map((m) => m.subject).sort();
      expect(told).toEqual([
        `Escalated: your tooling request (decision ${d.decision_id}) now awaits board`,
        `Escalated: your tooling request (decision ${d.decision_id}) now awaits ceo`,
        `Outcome: your tooling request (decision ${d.decision_id}) was expired`,
      ]);
    });
  });

  it('expires a collaborative vote at its deadline, tallied with the votes cast', async () => {
    const deadline = new Date(Date.now() + 1500).toISOString();
    const d = await roles.ok<Decision>('cto', 'propose_decision', {
      decision_type: 'tech',
      mode: 'collaborative',
      context: 'Rust for the edge',
      participants: ['senior_architect', 'senior_developer', 'test_lead'],
      deadline,
      quorum: 0.3,
    });
    const task = await roles.task('senior_architect', (t) => t.decision_id === d.decision_id);
    await roles.ok('senior_architect', 'complete_task', { task_id: task.task_id, outcome: 'approve' });
    await until(roles, d.decision_id, 'succeeded', 15_000);
    const closed = await roles.ok<Decision>('cto', 'get_decision', { decision_id: d.decision_id });
    expect(closed.status).toBe('approved');
    const { tasks } = await roles.ok<{ tasks: TaskView[] }>('test_lead', 'my_tasks', { status: 'all' });
    expect(tasks.find((t) => t.decision_id === d.decision_id)?.status).toBe('cancelled');
  });
});

describe('a step that throws', () => {
  let conclave: WorkflowConclave;
  let roles: Roles;
  let attempts = 0;

  beforeAll(async () => {
    conclave = await startWorkflowConclave({
      workflows: {
        timeScale: 0.001,
        // The quality gate's step writes its task, then fails as a dependency would (every time).
        interceptStep: async (_machine, payload, run) => {
          const result = await run();
          if ((payload as { state?: string }).state === 'QualityGate') {
            attempts++;
            throw new DependencyError('the bus is unavailable');
          }
          return result;
        },
      },
    });
    roles = await Roles.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles.close();
    await conclave.close();
  });

  it('is retried with backoff, then the failure path records the cause, tells the initiator and closes the open task', async () => {
    const run = await roles.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
    await driveFeature(roles, run.run_id, ['approve'], []);
    await roles.complete('senior_developer', run.run_id, 'done');
    const failed = await until(roles, run.run_id, 'failed');
    expect(attempts).toBe(4); // the first try and three retries
    expect(failed.cause).toBe('DependencyError: the bus is unavailable');
    expect(failed.open_tasks).toEqual([]);
    const { tasks } = await roles.ok<{ tasks: TaskView[] }>('test_lead', 'my_tasks', { status: 'all' });
    const gate = tasks.find((t) => t.run_id === run.run_id);
    expect(gate?.status).toBe('cancelled');
    expect(await roles.refused('test_lead', 'complete_task', { task_id: gate?.task_id, outcome: 'done' })).toContain('already cancelled');
    await eventually(async () => {
      const notice = (await inbox(roles, 'product_manager')).find((m) => m.subject.startsWith('Workflow failed') && m.content.includes(run.run_id));
      expect(notice?.content).toContain('DependencyError: the bus is unavailable');
    });
  });
});

describe('a run survives a restart of the local server', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conclave-restart-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('continues from the stage it was waiting in, with the same task, and completes', async () => {
    const first = await startWorkflowConclave({ dataDir: dir });
    const before = await Roles.of(first, 'acme');
    const run = await before.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
    await before.complete('product_manager', run.run_id, 'done', { release_id: `rel-${run.run_id}` });
    await before.complete('senior_architect', run.run_id, 'done');
    const review = await before.task('cto', run.run_id);
    await before.close();
    await first.close();

    const second = await startWorkflowConclave({ dataDir: dir });
    try {
      const after = await Roles.of(second, 'acme');
      const same = await after.task('cto', run.run_id);
      expect(same.task_id).toBe(review.task_id);
      expect((await statusOf(after, run.run_id)).stages.filter((s) => s.status === 'done').map((s) => s.stage)).toEqual(['define', 'design']);
      await after.ok('cto', 'complete_task', { task_id: same.task_id, outcome: 'approve' });
      await after.complete('senior_developer', run.run_id, 'done');
      await after.complete('test_lead', run.run_id, 'done', { tests_total: 10, tests_passed: 10, coverage_pct: 85 });
      await after.complete('operations_head', run.run_id, 'approve');
      const done = await until(after, run.run_id, 'succeeded');
      expect(done.stages.every((s) => s.status === 'done' && s.rounds === 1)).toBe(true);
      expect(second.log.lines.some((l) => l.message === 'resumed workflow runs')).toBe(true);
      await after.close();
    } finally {
      await second.close();
    }
  });
});
