import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, type EndpointId } from '../../functions/contracts/roles.js';
import { keys } from '../../functions/core/keys.js';
import { CTO_TOOLS } from '../../functions/mcp/tools/roles/cto.js';
import { OPERATIONS_HEAD_TOOLS } from '../../functions/mcp/tools/roles/operations_head.js';
import { TEST_LEAD_TOOLS } from '../../functions/mcp/tools/roles/test_lead.js';
import { RoleClients, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
interface Deployment {
  approved: boolean;
  deployment_id: string;
  reasons: string[];
  gate_id: string | null;
  deployment_plan: { steps: { environment: string; bake_minutes: number }[]; rollback: { order: string[] }; warnings: string[] } | null;
}
interface Gate {
  gate_id: string;
  passed: boolean;
  failed_checks: string[];
  checks: { name: string; passed: boolean; detail: string }[];
}
interface Inbox {
  threads: { messages: { from: string; type: string; priority: string; subject: string; content: string }[] }[];
}

const HOUR = 3_600_000;
const GOOD = { tests_total: 500, tests_passed: 495, coverage_pct: 86, critical_defects: 0, major_defects: 1 };

describe('cto, test_lead and operations_head role tools over MCP', () => {
  let conclave: Conclave;
  let roles: RoleClients;
  let other: RoleClients;
  const deploy = (release: string, environments = ['production', 'staging'], clients = roles) => clients.ok<Deployment>('cto', 'approve_deployment', { release, environments });
  const inbox = async (role: EndpointId) => {
    await conclave.bus.drain();
    return (await roles.ok<Inbox>(role, 'read_inbox', { unread_only: true })).threads.flatMap((t) => t.messages);
  };
  const countRecords = async (kind: string, tenant = 'acme') =>
    (await conclave.deps.store.query({ index: 'gsi1', pk: keys.recordIndex(tenant, kind), limit: 100 })).items.length;

  beforeAll(async () => {
    conclave = await startTestConclave();
    roles = await RoleClients.of(conclave, 'acme');
    other = await RoleClients.of(conclave, 'globex');
  });
  afterAll(async () => {
    await roles.close();
    await other.close();
    await conclave.close();
  });

  describe('endpoints', () => {
    const groups = [
      ['cto', CTO_TOOLS, ['review_architecture', 'select_technology', 'assess_technical_debt', 'approve_deployment']],
      ['test_lead', TEST_LEAD_TOOLS, ['create_test_plan', 'run_quality_gate', 'report_defect', 'list_quality_gates']],
      ['operations_head', OPERATIONS_HEAD_TOOLS, ['declare_incident', 'resolve_incident', 'approve_change_window', 'list_incidents']],
    ] as const;

    it.each(groups)('lists the %s tools only on its own endpoint, with output schemas', async (role, tools, names) => {
      expect(tools.map((t) => t.name)).toEqual(names);
      for (const endpoint of ENDPOINTS) {
        const listed = (await (await roles.client(endpoint)).listTools()).tools;
        for (const name of names) expect(listed.some((t) => t.name === name), `${name} on /mcp/${endpoint}`).toBe(endpoint === role);
        if (endpoint === role) for (const t of listed.filter((x) => (names as readonly string[]).includes(x.name))) expect(t.outputSchema).toBeDefined();
      }
    });

    it('refuses a role tool called on another endpoint, and changes nothing', async () => {
      const before = await countRecords('INCIDENT');
      for (const [role, name, args] of [
        ['cto', 'declare_incident', { title: 'x', severity: 1, description: 'x', affected_services: ['api'] }],
        ['operations_head', 'approve_deployment', { release: 'v1', environments: ['production'] }],
        ['senior_developer', 'run_quality_gate', { release: 'v1', results: GOOD }],
      ] as const) {
        const outcome = await roles.call(role, name, args).then(
          (r) => (r.isError ? 'refused' : 'served'),
          (e: Error) => `refused: ${e.message}`,
        );
        expect(outcome).toMatch(/^refused/);
      }
      expect(await countRecords('INCIDENT')).toBe(before);
    });
  });

  describe('deployment approval follows quality gates and severity-1 incidents', () => {
    it('refuses without a gate, after a failed gate, approves after a passed one, refuses during a sev-1, approves after it is resolved', async () => {
      const release = 'v1.4.0';
      const none = await deploy(release);
      expect(none).toMatchObject({ approved: false, gate_id: null, deployment_plan: null });
      expect(none.reasons.join(' ')).toContain('no quality gate');

      // Defect counts come from report_defect records: a figure the caller passes is ignored (no defect is recorded here).
      const failed = await roles.ok<Gate>('test_lead', 'run_quality_gate', { release, results: { ...GOOD, tests_passed: 480, critical_defects: 1 } });
      expect(failed).toMatchObject({ passed: false, failed_checks: ['pass_rate'] });
      const afterFail = await deploy(release);
      expect(afterFail).toMatchObject({ approved: false, gate_id: failed.gate_id });
      expect(afterFail.reasons.join(' ')).toContain(`${failed.gate_id} of ${release} failed (pass_rate)`);

      const passed = await roles.ok<Gate>('test_lead', 'run_quality_gate', { release, results: GOOD });
      expect(passed.passed).toBe(true);
      const approved = await deploy(release, ['production', 'staging', 'dev']);
      expect(approved).toMatchObject({ approved: true, gate_id: passed.gate_id });
      expect(approved.deployment_plan?.steps.map((s) => s.environment)).toEqual(['dev', 'staging', 'production']);
      expect(approved.deployment_plan?.rollback.order).toEqual(['production', 'staging', 'dev']);

      const sev1 = await roles.ok<{ incident_id: string; status: string; notified: string[] }>('operations_head', 'declare_incident', {
        title: 'Checkout down',
        severity: 1,
        description: 'All payments fail since 10:02',
        affected_services: ['checkout', 'payments'],
      });
      expect(sev1).toMatchObject({ status: 'open', notified: ['ceo', 'cto', 'chro'] });
      const during = await deploy(release);
      expect(during).toMatchObject({ approved: false, deployment_plan: null });
      expect(during.reasons).toEqual([expect.stringContaining(`severity-1 incident ${sev1.incident_id}`)]);

      const resolved = await roles.ok<{ status: string; resolved_at: string }>('operations_head', 'resolve_incident', { incident_id: sev1.incident_id, resolution: 'Rolled back the gateway config' });
      expect(resolved.status).toBe('resolved');
      const again = await deploy(release);
      expect(again).toMatchObject({ approved: true, gate_id: passed.gate_id });

      const stored = await conclave.deps.store.get(keys.record('acme', 'DEPLOYMENT', during.deployment_id));
      expect(stored).toMatchObject({ status: 'refused', release, decided_by: 'cto' });
    });

    it('keeps gates per tenant: another tenant cannot deploy on acme’s gate', async () => {
      await roles.ok<Gate>('test_lead', 'run_quality_gate', { release: 'v7', results: GOOD });
      expect((await deploy('v7')).approved).toBe(true);
      const foreign = await deploy('v7', ['staging'], other);
      expect(foreign.approved).toBe(false);
      expect((await other.ok<{ gates: Gate[] }>('test_lead', 'list_quality_gates', { release: 'v7' })).gates).toEqual([]);
    });

    it('a severity-2 incident does not block deployment', async () => {
      await roles.ok<Gate>('test_lead', 'run_quality_gate', { release: 'v8', results: GOOD });
      const sev2 = await roles.ok<{ incident_id: string; notified: string[] }>('operations_head', 'declare_incident', {
        title: 'Slow search',
        severity: 2,
        description: 'p95 doubled',
        affected_services: ['search'],
      });
      expect(sev2.notified).toEqual(['cto']);
      expect((await deploy('v8')).approved).toBe(true);
      await roles.ok('operations_head', 'resolve_incident', { incident_id: sev2.incident_id, resolution: 'reindexed' });
    });
  });

  describe('operations_head', () => {
    it('escalates a severity-1 incident to leadership inboxes at once, and resolving twice is a conflict', async () => {
      await inbox('ceo');
      await inbox('chro');
      const sev1 = await roles.ok<{ incident_id: string }>('operations_head', 'declare_incident', {
        title: 'Data centre power loss',
        severity: 1,
        description: 'eu-west-1a dark',
        affected_services: ['api'],
      });
      for (const role of ['ceo', 'chro'] as const) {
        const messages = await inbox(role);
        expect(messages).toContainEqual(expect.objectContaining({ from: 'operations_head', type: 'escalation', priority: 'urgent', subject: '[SEV1] Data centre power loss' }));
      }
      const open = await roles.ok<{ incidents: { incident_id: string }[] }>('operations_head', 'list_incidents', { status: 'open', max_severity: 1 });
      expect(open.incidents.map((i) => i.incident_id)).toEqual([sev1.incident_id]);
      expect((await other.ok<{ incidents: unknown[] }>('operations_head', 'list_incidents', {})).incidents).toEqual([]);

      expect(await other.refused('operations_head', 'resolve_incident', { incident_id: sev1.incident_id, resolution: 'x' })).toContain('not_found');
      await roles.ok('operations_head', 'resolve_incident', { incident_id: sev1.incident_id, resolution: 'Power restored' });
      expect(await roles.refused('operations_head', 'resolve_incident', { incident_id: sev1.incident_id, resolution: 'again' })).toContain('conflict');
      expect(await roles.refused('operations_head', 'resolve_incident', { incident_id: 'no-such-incident', resolution: 'x' })).toContain('not_found');
    });

    it('rejects bad incident arguments and stores nothing', async () => {
      const before = await countRecords('INCIDENT');
      expect(await roles.refused('operations_head', 'declare_incident', { title: 'x', severity: 0, description: 'x', affected_services: ['a'] })).toContain('severity');
      expect(await roles.refused('operations_head', 'declare_incident', { title: 'x', severity: 2, description: 'x', affected_services: [] })).toContain('affected_services');
      expect(await roles.refused('operations_head', 'declare_incident', { title: 'x', severity: 2, description: 'x', affected_services: ['a', 'A'] })).toContain('twice');
      expect(await countRecords('INCIDENT')).toBe(before);
    });

    it('approves change windows within the rules, rejects during a sev-1 and when too long, escalates above authority', async () => {
      const start = Date.now() + HOUR;
      const window = (hours: number, extra: Record<string, unknown> = {}) => ({
        start: new Date(start).toISOString(),
        end: new Date(start + hours * HOUR).toISOString(),
        services: ['billing'],
        risk: 'high',
        ...extra,
      });
      expect(await roles.ok('operations_head', 'approve_change_window', window(2))).toMatchObject({ approved: true, status: 'approved', max_duration_hours: 2 });
      const long = await roles.ok<{ approved: boolean; reasons: string[] }>('operations_head', 'approve_change_window', window(3));
      expect(long.approved).toBe(false);
      expect(long.reasons[0]).toContain('at most 2 h');

      const sev1 = await roles.ok<{ incident_id: string }>('operations_head', 'declare_incident', { title: 'DB down', severity: 1, description: 'x', affected_services: ['db'] });
      const blocked = await roles.ok<{ status: string; reasons: string[] }>('operations_head', 'approve_change_window', window(1));
      expect(blocked.status).toBe('rejected');
      expect(blocked.reasons[0]).toContain(sev1.incident_id);
      await roles.ok('operations_head', 'resolve_incident', { incident_id: sev1.incident_id, resolution: 'restored' });

      const atLimit = await roles.ok('operations_head', 'approve_change_window', window(1, { amount: 250_000 }));
      expect(atLimit).toMatchObject({ approved: true, status: 'approved', escalation_id: null });
      const above = await roles.ok<{ status: string; approved: boolean; escalation_id: string; awaiting: string; decision_id: string }>(
        'operations_head',
        'approve_change_window',
        window(1, { amount: 250_000.01 }),
      );
      expect(above).toMatchObject({ status: 'escalated', approved: false, awaiting: 'ceo' });
      expect(above.escalation_id).toMatch(/^[0-9a-z]{26}$/);
      expect(await roles.ok('ceo', 'get_decision', { decision_id: above.decision_id })).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
    });

    it('blocks a change window only by open incidents on the services it touches; a severity-1 anywhere blocks every window', async () => {
      const start = Date.now() + HOUR;
      const window = (services: string[]) =>
        roles.ok<{ status: string; reasons: string[] }>('operations_head', 'approve_change_window', { start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString(), services, risk: 'low' });
      const declare = (severity: number, service: string) =>
        roles.ok<{ incident_id: string }>('operations_head', 'declare_incident', { title: `sev-${severity} on ${service}`, severity, description: 'x', affected_services: [service] });
      const search = await declare(2, 'search');
      expect(await window(['checkout'])).toMatchObject({ status: 'approved' });
      const checkout = await declare(2, 'checkout');
      const blocked = await window(['checkout']);
      expect(blocked.status).toBe('rejected');
      expect(blocked.reasons).toEqual([expect.stringContaining(checkout.incident_id)]);
      const sev1 = await declare(1, 'search');
      const everywhere = await window(['billing']);
      expect(everywhere.status).toBe('rejected');
      expect(everywhere.reasons).toEqual([expect.stringContaining(`severity-1 incident ${sev1.incident_id}`)]);
      for (const i of [search, checkout, sev1]) await roles.ok('operations_head', 'resolve_incident', { incident_id: i.incident_id, resolution: 'fixed' });
      expect(await window(['checkout', 'search'])).toMatchObject({ status: 'approved' });
    });

    it('refuses inverted or malformed change windows and records nothing', async () => {
      const before = await countRecords('CHANGEWINDOW');
      const now = Date.now();
      expect(
        await roles.refused('operations_head', 'approve_change_window', { start: new Date(now + 2 * HOUR).toISOString(), end: new Date(now + HOUR).toISOString(), services: ['a'], risk: 'low' }),
      ).toContain('after start');
      expect(await roles.refused('operations_head', 'approve_change_window', { start: 'tomorrow', end: 'later', services: ['a'], risk: 'low' })).toContain('invalid_input');
      expect(
        await roles.refused('operations_head', 'approve_change_window', {
          start: new Date(now + HOUR).toISOString(),
          end: new Date(now + 2 * HOUR).toISOString(),
          services: ['a'],
          risk: 'low',
          amount: -5,
        }),
      ).toContain('amount');
      expect(await countRecords('CHANGEWINDOW')).toBe(before);
    });
  });

  describe('test_lead', () => {
    it('creates a plan whose coverage target and test types the next gate enforces', async () => {
      const plan = await roles.ok<{ plan_id: string; effort_hours: number; effort_days: number; coverage_targets: { line_pct: number }; test_types: string[] }>(
        'test_lead',
        'create_test_plan',
        { release: 'v2.0.0', scope: ['checkout', 'refunds'], risk_level: 'high' },
      );
      // (4 + 6 + 8 + 3 + 12 + 10) × 2 × 2 = 172 h
      expect(plan).toMatchObject({ effort_hours: 172, effort_days: 29, coverage_targets: { line_pct: 90 } });
      const gate = await roles.ok<Gate>('test_lead', 'run_quality_gate', { release: 'v2.0.0', results: GOOD });
      expect(gate.failed_checks).toEqual(['coverage', 'performance']);
      expect(gate.checks.find((c) => c.name === 'coverage')?.detail).toContain(plan.plan_id);
      const fixed = await roles.ok<Gate>('test_lead', 'run_quality_gate', {
        release: 'v2.0.0',
        results: { ...GOOD, coverage_pct: 92, performance_p95_ms: 180, performance_budget_ms: 250 },
      });
      expect(fixed.passed).toBe(true);
      const listed = await roles.ok<{ gates: Gate[] }>('test_lead', 'list_quality_gates', { release: 'v2.0.0' });
      expect(listed.gates.map((g) => g.gate_id)).toEqual([fixed.gate_id, gate.gate_id]);
    });

    it('reports a defect with a computed priority and asks the senior developer', async () => {
      await inbox('senior_developer');
      const d = await roles.ok<{ defect_id: string; priority: string; notified: string[] }>('test_lead', 'report_defect', {
        release: 'v2.0.0',
        title: 'Refund rounding',
        description: 'Refunds of 0.015 round down',
        severity: 'minor',
        affected_users_pct: 60,
      });
      expect(d).toMatchObject({ priority: 'P2', notified: ['senior_developer'] });
      const messages = await inbox('senior_developer');
      expect(messages).toContainEqual(expect.objectContaining({ from: 'test_lead', type: 'request', priority: 'high' }));
      expect(await conclave.deps.store.get(keys.record('acme', 'DEFECT', d.defect_id))).toMatchObject({ status: 'open', priority: 'P2' });
    });

    it('refuses inconsistent gate results and stores no gate', async () => {
      const before = await countRecords('GATE');
      expect(await roles.refused('test_lead', 'run_quality_gate', { release: 'v3', results: { ...GOOD, tests_passed: 501 } })).toContain('exceeds tests_total');
      expect(await roles.refused('test_lead', 'run_quality_gate', { release: 'v3', results: { ...GOOD, performance_p95_ms: 100 } })).toContain('go together');
      expect(await roles.refused('test_lead', 'run_quality_gate', { release: 'v3', results: { ...GOOD, coverage_pct: '90' } })).toContain('coverage_pct');
      expect(await roles.refused('test_lead', 'run_quality_gate', { release: 'v 3', results: GOOD })).toContain('release');
      expect(await roles.refused('test_lead', 'create_test_plan', { release: 'v3', scope: ['a'], risk_level: 'extreme' })).toContain('risk_level');
      expect(await countRecords('GATE')).toBe(before);
    });
  });

  describe('cto', () => {
    it('reviews a stored design: records the verdict, moves its status once, and refuses unknown or foreign designs', async () => {
      await conclave.deps.store.put({ ...keys.record('acme', 'DESIGN', 'des-1'), gsi1pk: keys.recordIndex('acme', 'DESIGN'), gsi1sk: `2026-01-01T00:00:00.000Z#des-1`, design_id: 'des-1', status: 'proposed', version: 1 });
      const args = {
        design_id: 'des-1',
        design: { style: 'event-driven', data_flow: 'api → queue → workers' },
        components: ['api gateway', 'workers (autoscaling)', 'postgres', 'CloudWatch'],
        scalability: 'scales horizontally',
      };
      const review = await roles.ok<{ approved: boolean; modifications: string[]; review_id: string; design_id: string; feedback: string }>('cto', 'review_architecture', args);
      expect(review).toMatchObject({ approved: false, design_id: 'des-1' });
      expect(review.modifications).toEqual([expect.stringContaining('postgres'), expect.stringContaining('security'), expect.stringContaining('Quantify')]);
      expect(await conclave.deps.store.get(keys.record('acme', 'DESIGN', 'des-1'))).toMatchObject({ status: 'rejected', review_id: review.review_id, version: 2 });
      expect(await roles.refused('cto', 'review_architecture', { ...args, verdict: 'approve' })).toContain('conflict');
      expect(await roles.refused('cto', 'review_architecture', { ...args, design_id: 'des-404' })).toContain('not_found');
      expect(await other.refused('cto', 'review_architecture', args)).toContain('not_found');
      expect(await roles.refused('cto', 'review_architecture', { ...args, design_id: undefined, components: [] })).toContain('components');
    });

    it('reviews the design the senior architect stored, by its id alone: its identity provider counts as authentication', async () => {
      const design = await roles.ok<{ design_id: string; components: { name: string }[] }>('senior_architect', 'design_system', {
        name: 'Accounts',
        requirements: { availability: 99.95, latency_ms: 120, throughput_rps: 800, auth: true },
        constraints: { cloud: 'aws' },
      });
      expect(design.components.map((c) => c.name)).toContain('identity_provider');
      const review = await roles.ok<{ design_id: string; checks: { name: string; passed: boolean; detail: string }[]; modifications: string[] }>('cto', 'review_architecture', {
        design_id: design.design_id,
      });
      expect(review.design_id).toBe(design.design_id);
      expect(review.checks.find((c) => c.name === 'security')).toMatchObject({ passed: true });
      expect(review.checks.find((c) => c.name === 'scalability_quantified')).toMatchObject({ passed: true });
      expect(review.modifications.join('\n')).not.toMatch(/security layer/);
      expect(await roles.refused('cto', 'review_architecture', { design_id: 'des-unknown' })).toMatch(/not_found.*no design des-unknown/s);
    });

    it('selects a technology by weighted score and refuses incomplete scores', async () => {
      const s = await roles.ok<{ selected: string; ranking: { option: string; weighted_score: number }[]; migration_plan: string }>('cto', 'select_technology', {
        options: ['Kafka', 'SQS'],
        criteria: { throughput: 2, operability: 3 },
        scores: { Kafka: { throughput: 10, operability: 4 }, SQS: { throughput: 7, operability: 9 } },
        timeline: '8 weeks',
      });
      // Kafka: 0.4*10 + 0.6*4 = 6.4; SQS: 0.4*7 + 0.6*9 = 8.2
      expect(s.ranking).toEqual([
        { option: 'SQS', weighted_score: 8.2 },
        { option: 'Kafka', weighted_score: 6.4 },
      ]);
      expect(s.migration_plan).toContain('Over 8 weeks');
      expect(
        await roles.refused('cto', 'select_technology', { options: ['Kafka', 'SQS'], criteria: { throughput: 1 }, scores: { Kafka: { throughput: 5 } }, timeline: 'soon' }),
      ).toContain('SQS (all criteria)');
    });

    it('assesses technical debt with the documented formula', async () => {
      const debt = await roles.ok<{ debt_score: number; priority_fixes: string[]; rating: string }>('cto', 'assess_technical_debt', {
        codebase_metrics: { test_coverage: 60, avg_cyclomatic_complexity: 8, duplication_pct: 5, outdated_dependencies: 10, open_bugs: 20, code_smells: 100, lines_of_code: 20_000 },
      });
      // 25×0.25 + 20×0.2 + 15×(2/22) + 15×0.5 + 15×0.2 + 10×0.25 = 6.25 + 4 + 1.36 + 7.5 + 3 + 2.5 = 24.6
      expect(debt).toMatchObject({ debt_score: 24.6, rating: 'moderate' });
      expect(debt.priority_fixes[0]).toContain('outdated dependencies');
      expect(await roles.refused('cto', 'assess_technical_debt', { codebase_metrics: { test_coverage: 60 } })).toContain('invalid_input');
    });

    it('refuses malformed deployment requests and records nothing', async () => {
      const before = await countRecords('DEPLOYMENT');
      expect(await roles.refused('cto', 'approve_deployment', { release: 'v1', environments: ['staging', 'Staging'] })).toContain('twice');
      expect(await roles.refused('cto', 'approve_deployment', { release: 'v1', environments: [] })).toContain('environments');
      expect(await countRecords('DEPLOYMENT')).toBe(before);
    });
  });
});
