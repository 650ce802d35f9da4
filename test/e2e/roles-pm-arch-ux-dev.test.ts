import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointId } from '../../functions/contracts/roles.js';
import { keys } from '../../functions/core/keys.js';
import { RoleClients, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- structured results are asserted field by field
type Result = any;

const OWN_TOOLS: Record<string, string[]> = {
  product_manager: ['define_feature', 'prioritize_backlog', 'gather_requirements'],
  senior_architect: ['design_system', 'evaluate_technology', 'create_technical_spec'],
  uiux_engineer: ['create_design_spec', 'review_accessibility', 'run_usability_review'],
  senior_developer: ['create_implementation_plan', 'estimate_effort', 'request_code_review'],
};

const STORIES = [
  'As a shopper, I want to save my cart, so that I can buy later',
  'As a shopper, I want to see delivery dates',
  'Faster checkout',
];

describe('product_manager, senior_architect, uiux_engineer and senior_developer tools over MCP', () => {
  let conclave: Conclave;
  let roles: RoleClients<Result>;
  let other: RoleClients<Result>;
  const count = async (tenant: string, kind: string): Promise<number> =>
    (await conclave.deps.store.query({ index: 'gsi1', pk: keys.recordIndex(tenant, kind), limit: 1000 })).items.length;
  const stored = (tenant: string, kind: string, id: string) => conclave.deps.store.get(keys.record(tenant, kind, id));
  const inboxOf = async (role: EndpointId): Promise<{ message_id: string; from: string; subject: string; content: string; thread_id: string; priority: string }[]> => {
    const page = (await roles.ok(role, 'read_inbox', { limit: 100 })) as { threads: { messages: [] }[] };
    return page.threads.flatMap((t) => t.messages);
  };

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
    it.each(Object.keys(OWN_TOOLS))("lists %s's own tools only on its own endpoint", async (role) => {
      const listed = (await (await roles.client(role as EndpointId)).listTools()).tools.map((t) => t.name);
      for (const [owner, tools] of Object.entries(OWN_TOOLS)) {
        for (const tool of tools) expect(listed.includes(tool), `${tool} on ${role}`).toBe(owner === role);
      }
      const cto = (await (await roles.client('cto')).listTools()).tools.map((t) => t.name);
      for (const tool of OWN_TOOLS[role] as string[]) expect(cto).not.toContain(tool);
    });

    it("refuses a role's tool called on another role's endpoint, and stores nothing", async () => {
      const before = await count('acme', 'FEATURE');
      await roles.refusedOrThrows('senior_developer', 'define_feature', { name: 'Sneaky', user_stories: ['x'], business_value: 'y' });
      await roles.refusedOrThrows('board', 'design_system', { name: 'Sneaky', requirements: {}, constraints: {} });
      await roles.refusedOrThrows('product_manager', 'estimate_effort', { tasks: [{ title: 't', optimistic: 1, likely: 2, pessimistic: 3 }] });
      expect(await count('acme', 'FEATURE')).toBe(before);
    });
  });

  describe('product_manager', () => {
    it('define_feature parses stories, sets priority from RICE and stores a FEATURE record', async () => {
      const f = await roles.ok('product_manager', 'define_feature', {
        name: 'Saved carts',
        user_stories: STORIES,
        business_value: 'Recover abandoned carts',
        reach: 2000,
        impact: 2,
        confidence: 0.8,
        effort: 4,
      });
      expect(f.priority).toBe('high'); // 2000 × 2 × 0.8 ÷ 4 = 800
      expect(f.rice_score).toBe(800);
      expect(f.requirements.functional.map((r: Result) => [r.id, r.role, r.conforms])).toEqual([
        ['FR-1', 'shopper', true],
        ['FR-2', 'shopper', false],
        ['FR-3', null, false],
      ]);
      expect(f.requirements.flagged.map((x: Result) => x.id)).toEqual(['FR-2', 'FR-3']);
      expect(f.budget).toBeNull();
      const record = await stored('acme', 'FEATURE', f.feature_id);
      expect(record).toMatchObject({ feature_id: f.feature_id, name: 'Saved carts', priority: 'high', status: 'defined', created_by: 'product_manager', version: 1 });
      const listed = await conclave.deps.store.query({ index: 'gsi1', pk: keys.recordIndex('acme', 'FEATURE'), limit: 1000 });
      expect(listed.items.map((i) => i.feature_id)).toContain(f.feature_id);

      const plain = await roles.ok('product_manager', 'define_feature', { name: 'Dark mode', user_stories: ['As a user, I want dark mode, so that my eyes rest'], business_value: 'Comfort' });
      expect(plain).toMatchObject({ priority: 'medium', rice_score: null });
    });

    it('define_feature approves a budget exactly at the authority and escalates one cent above', async () => {
      const at = await roles.ok('product_manager', 'define_feature', { name: 'At limit', user_stories: ['x'], business_value: 'v', budget: 100_000 });
      expect(at.budget).toMatchObject({ amount: 100_000, status: 'approved', awaiting: null, escalation_id: null });
      const above = await roles.ok('product_manager', 'define_feature', { name: 'Above limit', user_stories: ['x'], business_value: 'v', budget: 100_000.01 });
      expect(above.budget).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
      expect(above.budget.escalation_id).toMatch(/^[0-9a-z]{26}$/);
      const decision = await roles.ok('ceo', 'get_decision', { decision_id: above.budget.decision_id });
      expect(decision).toMatchObject({ status: 'escalated', awaiting: 'ceo', decision_type: 'feature_budget', amount: 100_000.01, initiator: 'product_manager' });
      expect((await stored('acme', 'FEATURE', above.feature_id))?.budget).toMatchObject({ decision_id: above.budget.decision_id });
    });

    it('define_feature refuses bad arguments and stores nothing', async () => {
      const features = await count('acme', 'FEATURE');
      const decisions = (await conclave.deps.store.query({ index: 'gsi1', pk: keys.decisions('acme'), limit: 1000 })).items.length;
      expect(await roles.refusedOrThrows('product_manager', 'define_feature', { name: 'X', user_stories: ['s'], business_value: 'v', reach: 10, impact: 1 })).toContain('missing: confidence, effort');
      expect(await roles.refusedOrThrows('product_manager', 'define_feature', { name: 'X', user_stories: [], business_value: 'v' })).toContain('user_stories');
      expect(await roles.refusedOrThrows('product_manager', 'define_feature', { name: 'X', user_stories: ['s'], business_value: 'v', budget: -1 })).toContain('budget');
      expect(await roles.refusedOrThrows('product_manager', 'define_feature', { name: 'X', user_stories: ['s'], business_value: 'v', impact: 5, reach: 1, confidence: 1, effort: 1 })).toContain('impact');
      expect(await count('acme', 'FEATURE')).toBe(features);
      expect((await conclave.deps.store.query({ index: 'gsi1', pk: keys.decisions('acme'), limit: 1000 })).items.length).toBe(decisions);
    });

    it('prioritize_backlog ranks by RICE and selects greedily within capacity, must_include first', async () => {
      const items = [
        { id: 'a', title: 'A', reach: 100, impact: 1, confidence: 1, effort: 5 },
        { id: 'b', title: 'B', reach: 300, impact: 1, confidence: 1, effort: 3 },
        { id: 'c', title: 'C', reach: 200, impact: 2, confidence: 0.5, effort: 4 },
      ];
      const plan = await roles.ok('product_manager', 'prioritize_backlog', { items, constraints: { capacity: 8, must_include: ['a'] } });
      expect(plan.prioritized_backlog.map((r: Result) => [r.id, r.rank, r.score, r.selected])).toEqual([
        ['b', 1, 100, true],
        ['c', 2, 50, false],
        ['a', 3, 20, true],
      ]);
      expect(plan.capacity_used).toBe(8);
      expect(plan.rationale).toContain('must_include first');
      const wsjf = await roles.ok('product_manager', 'prioritize_backlog', {
        method: 'wsjf',
        items: [
          { id: 'x', title: 'X', value: 8, time_criticality: 5, risk_reduction: 3, effort: 4 },
          { id: 'y', title: 'Y', value: 10, effort: 2 },
        ],
        constraints: { capacity: 10 },
      });
      expect(wsjf.prioritized_backlog.map((r: Result) => [r.id, r.score])).toEqual([
        ['y', 5],
        ['x', 4],
      ]);
      expect(await roles.refusedOrThrows('product_manager', 'prioritize_backlog', { items, constraints: { capacity: 8, must_include: ['a', 'c'] } })).toContain('capacity is 8');
      expect(await roles.refusedOrThrows('product_manager', 'prioritize_backlog', { items, constraints: { capacity: 8, must_include: ['zz'] } })).toContain('unknown item ids: zz');
      expect(await roles.refusedOrThrows('product_manager', 'prioritize_backlog', { items: [{ id: 'a', title: 'A', effort: -1 }], constraints: { capacity: 8 } })).toContain('effort');
    });

    it('gather_requirements asks stakeholders in one thread and collects their replies', async () => {
      const started = await roles.ok('product_manager', 'gather_requirements', {
        feature: 'Saved carts',
        stakeholders: ['cto', 'test_lead'],
        questions: ['What must it do?', 'How do we test it?'],
      });
      expect(started).toMatchObject({ status: 'collecting', asked: ['cto', 'test_lead'], acceptance_criteria: [] });
      expect(started.requirements_doc.pending).toEqual(['cto', 'test_lead']);
      expect(await stored('acme', 'REQUIREMENTS', started.request_id)).toMatchObject({ thread_id: started.thread_id, status: 'collecting', stakeholders: ['cto', 'test_lead'] });
      await conclave.bus.drain();

      const toCto = (await inboxOf('cto')).find((m) => m.thread_id === started.thread_id);
      expect(toCto).toMatchObject({ from: 'product_manager', subject: 'Requirements: Saved carts' });
      expect(toCto?.content).toContain('How do we test it?');
      const toTest = (await inboxOf('test_lead')).find((m) => m.thread_id === started.thread_id);
      expect(toTest).toBeDefined();
      expect((await inboxOf('ceo')).some((m) => m.thread_id === started.thread_id)).toBe(false);

      await roles.ok('cto', 'reply', { message_id: toCto?.message_id, content: 'It must survive a region outage.\n- Should keep carts for 30 days\nSome context.' });
      // Someone who was not asked writes in the thread: not an answer.
      await roles.ok('ceo', 'send_message', { to: 'product_manager', subject: 'Re: carts', content: 'Must be cheap.', thread_id: started.thread_id });
      await conclave.bus.drain();
      const partial = await roles.ok('product_manager', 'gather_requirements', { request_id: started.request_id });
      expect(partial).toMatchObject({ status: 'collecting', request_id: started.request_id, thread_id: started.thread_id });
      expect(partial.requirements_doc).toMatchObject({ answered: ['cto'], pending: ['test_lead'] });
      expect(Object.keys(partial.requirements_doc.answers)).toEqual(['cto']);
      expect(partial.acceptance_criteria).toEqual(['Should keep carts for 30 days']);

      await roles.ok('test_lead', 'reply', { message_id: toTest?.message_id, content: 'Given a saved cart\nWhen the shopper logs in on another device\nThen the cart is shown\nmust have e2e tests' });
      await conclave.bus.drain();
      const done = await roles.ok('product_manager', 'gather_requirements', { request_id: started.request_id });
      expect(done.status).toBe('complete');
      expect(done.requirements_doc.pending).toEqual([]);
      expect(done.requirements_doc.answers.test_lead[0].content).toContain('Given a saved cart');
      expect(done.acceptance_criteria).toEqual([
        'Should keep carts for 30 days',
        'Given a saved cart When the shopper logs in on another device Then the cart is shown',
        'must have e2e tests',
      ]);
      expect(await stored('acme', 'REQUIREMENTS', started.request_id)).toMatchObject({ status: 'complete', pending: [], version: 3 });
      expect(await other.refusedOrThrows('product_manager', 'gather_requirements', { request_id: started.request_id })).toContain('not_found');
    });

    it('gather_requirements refuses inconsistent arguments and sends nothing', async () => {
      const before = await count('acme', 'REQUIREMENTS');
      const inboxBefore = (await inboxOf('cto')).length;
      expect(await roles.refusedOrThrows('product_manager', 'gather_requirements', { request_id: 'x', feature: 'y', stakeholders: ['cto'] })).toContain('not both');
      expect(await roles.refusedOrThrows('product_manager', 'gather_requirements', {})).toContain('feature');
      expect(await roles.refusedOrThrows('product_manager', 'gather_requirements', { feature: 'y' })).toContain('stakeholders');
      expect(await roles.refusedOrThrows('product_manager', 'gather_requirements', { feature: 'y', stakeholders: ['cto', 'product_manager'] })).toContain('own stakeholder');
      expect(await roles.refusedOrThrows('product_manager', 'gather_requirements', { feature: 'y', stakeholders: ['intern'] })).toContain('stakeholders');
      expect(await roles.refusedOrThrows('product_manager', 'gather_requirements', { request_id: 'nope' })).toContain('not_found');
      await conclave.bus.drain();
      expect(await count('acme', 'REQUIREMENTS')).toBe(before);
      expect((await inboxOf('cto')).length).toBe(inboxBefore);
    });
  });

  describe('senior_architect', () => {
    it('design_system derives components by rule and stores a proposed DESIGN record', async () => {
      const feature = await roles.ok('product_manager', 'define_feature', { name: 'Orders', user_stories: STORIES, business_value: 'v' });
      const d = await roles.ok('senior_architect', 'design_system', {
        name: 'Order service',
        requirements: { availability: 99.95, latency_ms: 120, throughput_rps: 1600, async: true, auth: true, colour: 'blue' },
        constraints: { team_size: 4, cloud: 'aws' },
        feature_id: feature.feature_id,
      });
      expect(d).toMatchObject({ status: 'proposed', version: 1, feature_id: feature.feature_id });
      expect(d.architecture).toMatchObject({ style: 'modular_monolith', redundancy: 'multi_az', platform: 'aws', unrecognized_keys: ['requirements.colour'] });
      const names = d.components.map((c: Result) => c.name);
      expect(names).toEqual(expect.arrayContaining(['api_gateway', 'load_balancer', 'identity_provider', 'order_service', 'cache', 'primary_datastore', 'job_queue', 'worker', 'observability']));
      expect(d.components.find((c: Result) => c.name === 'order_service').replicas).toBe(4);
      expect(d.data_flow).toContain('async: order_service → job_queue → worker');
      const record = await stored('acme', 'DESIGN', d.design_id);
      expect(record).toMatchObject({ design_id: d.design_id, name: 'Order service', status: 'proposed', version: 1, created_at: d.created_at });
      expect(record?.components).toEqual(d.components);
    });

    it('design_system refuses an unknown or foreign feature and bad targets, storing nothing', async () => {
      const foreign = await other.ok('product_manager', 'define_feature', { name: 'Globex only', user_stories: ['x'], business_value: 'v' });
      const before = await count('acme', 'DESIGN');
      expect(await roles.refusedOrThrows('senior_architect', 'design_system', { name: 'X', requirements: {}, constraints: {}, feature_id: 'nope' })).toContain('not_found');
      expect(await roles.refusedOrThrows('senior_architect', 'design_system', { name: 'X', requirements: {}, constraints: {}, feature_id: foreign.feature_id })).toContain('not_found');
      expect(await roles.refusedOrThrows('senior_architect', 'design_system', { name: 'X', requirements: { availability: 120 }, constraints: {} })).toContain('availability');
      expect(await roles.refusedOrThrows('senior_architect', 'design_system', { name: 'X', requirements: 'fast', constraints: {} })).toContain('requirements');
      expect(await count('acme', 'DESIGN')).toBe(before);
    });

    it('evaluate_technology computes the weighted score and recommendation', async () => {
      const e = await roles.ok('senior_architect', 'evaluate_technology', {
        technology: 'Postgres',
        use_case: 'orders',
        scores: { maturity: 9, community: 8, performance: 7, team_familiarity: 6, cost: 5, security: 8 },
      });
      expect(e).toMatchObject({ technology: 'Postgres', score: 7.4, recommendation: 'trial' });
      const capped = await roles.ok('senior_architect', 'evaluate_technology', {
        technology: 'NewDB',
        use_case: 'orders',
        scores: { maturity: 10, community: 10, performance: 10, team_familiarity: 10, cost: 10, security: 2 },
      });
      expect(capped).toMatchObject({ score: 8.4, recommendation: 'assess' });
      expect(
        await roles.refusedOrThrows('senior_architect', 'evaluate_technology', {
          technology: 'X',
          use_case: 'y',
          scores: { maturity: 11, community: 8, performance: 7, team_familiarity: 6, cost: 5, security: 8 },
        }),
      ).toContain('scores.maturity');
    });

    it('create_technical_spec links a feature and a design and stores a SPEC record', async () => {
      const feature = await roles.ok('product_manager', 'define_feature', { name: 'Wishlist', user_stories: STORIES, business_value: 'v', reach: 100, impact: 1, confidence: 1, effort: 1 });
      const design = await roles.ok('senior_architect', 'design_system', { name: 'Wishlist', requirements: { latency_ms: 100 }, constraints: {} });
      const spec = await roles.ok('senior_architect', 'create_technical_spec', { feature_id: feature.feature_id, design_id: design.design_id, architecture: { style: 'monolith' } });
      expect(spec).toMatchObject({ feature_id: feature.feature_id, design_id: design.design_id, status: 'draft' });
      expect(spec.spec_document.feature).toMatchObject({ name: 'Wishlist', priority: 'medium' });
      expect(spec.spec_document.requirements[0]).toEqual({ id: 'FR-1', statement: 'shopper can save my cart so that I can buy later' });
      expect(spec.spec_document.components[0]).toMatchObject({ phase: 1 });
      expect(spec.spec_document.components.map((c: Result) => c.name)).toContain('cache');
      expect(spec.spec_document.open_questions.some((q: string) => q.startsWith('FR-2'))).toBe(true);
      expect(spec.implementation_guide).toMatch(/^1\. Resolve 2 open question/);
      expect(spec.implementation_guide).toContain('Implement FR-1');
      expect(await stored('acme', 'SPEC', spec.spec_id)).toMatchObject({ spec_id: spec.spec_id, feature_id: feature.feature_id, status: 'draft', version: 1 });

      const free = await roles.ok('senior_architect', 'create_technical_spec', { feature: 'Gift cards', architecture: { components: ['api', { name: 'ledger', type: 'datastore' }] } });
      expect(free.spec_document.components.map((c: Result) => c.name)).toEqual(['ledger', 'api']);

      const before = await count('acme', 'SPEC');
      expect(await roles.refusedOrThrows('senior_architect', 'create_technical_spec', { feature_id: 'nope', architecture: {} })).toContain('not_found');
      expect(await other.refusedOrThrows('senior_architect', 'create_technical_spec', { feature_id: feature.feature_id, architecture: {} })).toContain('not_found');
      expect(await roles.refusedOrThrows('senior_architect', 'create_technical_spec', { feature_id: feature.feature_id, feature: 'both', architecture: {} })).toContain('exactly one');
      expect(await roles.refusedOrThrows('senior_architect', 'create_technical_spec', { feature: 'x', design_id: 'nope', architecture: {} })).toContain('not_found');
      expect(await roles.refusedOrThrows('senior_architect', 'create_technical_spec', { feature: 'x', architecture: { components: 'api' } })).toContain('components');
      expect(await count('acme', 'SPEC')).toBe(before);
    });
  });

  describe('uiux_engineer', () => {
    it('create_design_spec computes the component inventory and stores a UXSPEC record', async () => {
      const spec = await roles.ok('uiux_engineer', 'create_design_spec', {
        feature: 'Checkout',
        screens: [
          { name: 'Cart', components: ['Button', 'Price'] },
          { name: 'Pay', components: ['button', 'Form'] },
          { name: 'Done', components: ['Button'] },
        ],
        platforms: ['web', 'ios'],
      });
      expect(spec).toMatchObject({ total_uses: 5, unique_components: 3, reuse_rate: 0.4, design_system_candidates: ['Button'], variants: 6 });
      expect(await stored('acme', 'UXSPEC', spec.spec_id)).toMatchObject({ spec_id: spec.spec_id, feature: 'Checkout', platforms: ['web', 'ios'] });
      const before = await count('acme', 'UXSPEC');
      expect(
        await roles.refusedOrThrows('uiux_engineer', 'create_design_spec', {
          feature: 'X',
          screens: [
            { name: 'A', components: [] },
            { name: 'a', components: [] },
          ],
          platforms: ['web'],
        }),
      ).toContain('duplicate screen');
      expect(await roles.refusedOrThrows('uiux_engineer', 'create_design_spec', { feature: 'X', screens: [{ name: 'A', components: [] }], platforms: ['tv'] })).toContain('platforms');
      expect(await roles.refusedOrThrows('uiux_engineer', 'create_design_spec', { feature: 'X', feature_id: 'nope', screens: [{ name: 'A', components: [] }], platforms: ['web'] })).toContain('not_found');
      expect(await count('acme', 'UXSPEC')).toBe(before);
    });

    it('review_accessibility scores findings, lists blockers and the conformance level', async () => {
      const r = await roles.ok('uiux_engineer', 'review_accessibility', {
        subject: 'Checkout',
        findings: [
          { criterion: '1.1.1', level: 'A', passed: true },
          { criterion: '1.4.3', level: 'AA', passed: false, notes: 'low contrast' },
        ],
      });
      expect(r).toMatchObject({ subject: 'Checkout', score: 60, conformance_level: 'A', blocking_issues: [{ criterion: '1.4.3', level: 'AA', notes: 'low contrast' }] });
      expect(await roles.refusedOrThrows('uiux_engineer', 'review_accessibility', { findings: [{ criterion: 'contrast', level: 'AA', passed: true }] })).toContain('criterion');
    });

    it('run_usability_review computes SUS and flags weak tasks', async () => {
      const r = await roles.ok('uiux_engineer', 'run_usability_review', {
        responses: [
          [5, 1, 5, 1, 5, 1, 5, 1, 5, 1],
          [4, 2, 4, 2, 4, 2, 4, 2, 4, 2],
        ],
        tasks: [{ name: 'pay', attempts: 4, completions: 3 }],
      });
      expect(r).toMatchObject({ sus_score: 87.5, grade: 'A', above_benchmark: true, tasks: [{ name: 'pay', completion_rate: 0.75, flagged: true }] });
      expect(await roles.refusedOrThrows('uiux_engineer', 'run_usability_review', { responses: [[1, 2, 3]] })).toContain('responses');
    });
  });

  describe('senior_developer', () => {
    it('create_implementation_plan orders tasks, finds the critical path and stores a PLAN linked to a spec', async () => {
      const spec = await roles.ok('senior_architect', 'create_technical_spec', { feature: 'Search', architecture: { components: ['index'] } });
      const plan = await roles.ok('senior_developer', 'create_implementation_plan', {
        spec_id: spec.spec_id,
        tasks: [
          { title: 'UI', estimate_hours: 3, depends_on: ['API'] },
          { title: 'API', estimate_hours: 5, depends_on: ['Schema'] },
          { title: 'Docs', estimate_hours: 1 },
          { title: 'Schema', estimate_hours: 2 },
        ],
      });
      expect(plan.order.map((t: Result) => t.title)).toEqual(['Docs', 'Schema', 'API', 'UI']);
      expect(plan).toMatchObject({ critical_path: ['Schema', 'API', 'UI'], critical_path_hours: 10, total_hours: 11, spec_id: spec.spec_id });
      expect(plan.order.find((t: Result) => t.title === 'Docs')).toMatchObject({ slack: 9, critical: false });
      expect(await stored('acme', 'PLAN', plan.plan_id)).toMatchObject({ plan_id: plan.plan_id, spec_id: spec.spec_id, critical_path_hours: 10 });

      const before = await count('acme', 'PLAN');
      expect(
        await roles.refusedOrThrows('senior_developer', 'create_implementation_plan', {
          tasks: [
            { title: 'a', estimate_hours: 1, depends_on: ['b'] },
            { title: 'b', estimate_hours: 1, depends_on: ['a'] },
          ],
        }),
      ).toContain('cycle');
      expect(await other.refusedOrThrows('senior_developer', 'create_implementation_plan', { spec_id: spec.spec_id, tasks: [{ title: 'a', estimate_hours: 1 }] })).toContain('not_found');
      expect(await roles.refusedOrThrows('senior_developer', 'create_implementation_plan', { feature_id: 'nope', tasks: [{ title: 'a', estimate_hours: 1 }] })).toContain('not_found');
      expect(await roles.refusedOrThrows('senior_developer', 'create_implementation_plan', { tasks: [{ title: 'a', estimate_hours: -1 }] })).toContain('estimate_hours');
      expect(await count('acme', 'PLAN')).toBe(before);
    });

    it('estimate_effort returns PERT totals and a 95 % range', async () => {
      const e = await roles.ok('senior_developer', 'estimate_effort', {
        tasks: [
          { title: 'api', optimistic: 2, likely: 4, pessimistic: 12 },
          { title: 'ui', optimistic: 1, likely: 2, pessimistic: 3 },
        ],
      });
      expect(e).toMatchObject({ total_expected: 7, total_std_dev: 1.7, range_95: { low: 3.67, high: 10.33 } });
      expect(await roles.refusedOrThrows('senior_developer', 'estimate_effort', { tasks: [{ title: 't', optimistic: 5, likely: 3, pessimistic: 8 }] })).toContain('optimistic ≤ likely ≤ pessimistic');
    });

    it('request_code_review sends the request to the architect, or to the test lead for high risk', async () => {
      const low = await roles.ok('senior_developer', 'request_code_review', { title: 'Fix typo', files_changed: 1, lines_changed: 4, risk: 'low' });
      expect(low).toMatchObject({ reviewer: 'senior_architect', size: 'XS', estimated_review_minutes: 10, split_recommended: false });
      const high = await roles.ok('senior_developer', 'request_code_review', { title: 'New payment flow', files_changed: 25, lines_changed: 800, risk: 'high', link: 'https://git.example/pr/7' });
      expect(high).toMatchObject({ reviewer: 'test_lead', size: 'XXL', estimated_review_minutes: 170, split_recommended: true });
      expect(high.checklist).toContain('A rollback plan is written and has been tried');
      await conclave.bus.drain();
      const atTest = (await inboxOf('test_lead')).find((m) => m.message_id === high.message_id);
      expect(atTest).toMatchObject({ from: 'senior_developer', priority: 'high', subject: 'Code review [XXL, high risk]: New payment flow' });
      expect(atTest?.content).toContain('https://git.example/pr/7');
      expect((await inboxOf('senior_architect')).some((m) => m.message_id === low.message_id)).toBe(true);
      expect((await inboxOf('senior_architect')).some((m) => m.message_id === high.message_id)).toBe(false);
      expect(await roles.refusedOrThrows('senior_developer', 'request_code_review', { title: 'x', files_changed: 0, lines_changed: 4, risk: 'low' })).toContain('files_changed');
    });
  });
});
