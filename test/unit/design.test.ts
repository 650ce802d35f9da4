import { describe, expect, it } from 'vitest';
import { reviewAccessibility } from '../../functions/core/design/accessibility.js';
import { deriveDesign } from '../../functions/core/design/system-design.js';
import { evaluateTechnology } from '../../functions/core/design/technology.js';
import { reviewUsability, susGrade, susScore } from '../../functions/core/design/usability.js';
import { componentInventory } from '../../functions/core/design/ux-spec.js';

const names = (d: ReturnType<typeof deriveDesign>) => d.components.map((c) => c.name);

describe('deriveDesign', () => {
  it('goes multi-AZ at 99.9 % with a load balancer, a cache under 200 ms and one replica per 500 rps', () => {
    const d = deriveDesign('Checkout', { Availability: '99.95%', 'latency-ms': 150, throughput_rps: 2600 }, { team_size: 5 });
    expect(d.architecture).toMatchObject({ style: 'modular_monolith', redundancy: 'multi_az', regions: 1 });
    expect(d.architecture.quality_attributes).toEqual({ availability_pct: 99.95, latency_ms: 150, throughput_rps: 2600 });
    expect(names(d)).toEqual(['api_gateway', 'load_balancer', 'checkout_service', 'cache', 'primary_datastore', 'observability']);
    expect(d.components.find((c) => c.name === 'checkout_service')?.replicas).toBe(6);
    expect(d.data_flow).toContain('request: client → api_gateway → load_balancer → checkout_service → cache → primary_datastore');
    expect(d.architecture.unrecognized_keys).toEqual([]);
  });

  it('goes multi-region at 99.99 % (a fraction reads as a percentage) and adds an edge CDN at 50 ms', () => {
    const d = deriveDesign('Feed', { availability: 0.9999, latency_ms: 50 }, {});
    expect(d.architecture).toMatchObject({ redundancy: 'multi_region', regions: 2 });
    expect(names(d)).toEqual(expect.arrayContaining(['edge_cdn', 'global_router', 'cache']));
    expect(d.data_flow).toContain('client → edge_cdn → global_router → api_gateway');
  });

  it('assumes 99.5 % single-AZ without a target and lists keys no rule reads', () => {
    const d = deriveDesign('Wiki', { colour: 'blue' }, { mood: 'good' });
    expect(d.architecture.redundancy).toBe('single_az');
    expect(d.architecture.assumptions).toEqual(['no availability target given: assumed 99.5 %']);
    expect(d.architecture.unrecognized_keys).toEqual(['requirements.colour', 'constraints.mood']);
    expect(names(d)).not.toContain('load_balancer');
    expect(names(d)).not.toContain('cache');
  });

  it('chooses serverless on a small budget and microservices for a large team', () => {
    const serverless = deriveDesign('X', { availability: 99.9 }, { budget_monthly_usd: 1500, team_size: 20 });
    expect(serverless.architecture.style).toBe('serverless');
    expect(names(serverless)).not.toContain('load_balancer');
    expect(deriveDesign('X', {}, { team_size: 9 }).architecture.style).toBe('microservices');
    expect(deriveDesign('X', {}, { team_size: 8 }).architecture.style).toBe('modular_monolith');
  });

  it('adds feature components by rule, one adapter per integration, and partitions at 10,000 rps', () => {
    const d = deriveDesign(
      'Orders',
      { rps: 10_000, async: true, realtime: true, search: true, auth: true, pii: true, analytics: true, integrations: ['Stripe', 'SAP ERP'], data_size_gb: 2000 },
      {},
    );
    expect(names(d)).toEqual(
      expect.arrayContaining(['job_queue', 'worker', 'realtime_gateway', 'search_index', 'identity_provider', 'key_management', 'audit_log', 'event_stream', 'analytics_store', 'stripe_adapter', 'sap_erp_adapter', 'object_storage']),
    );
    expect(d.components.find((c) => c.name === 'primary_datastore')?.rule).toContain('partitioned');
    expect(d.data_flow).toContain('integration: orders_service → sap_erp_adapter → SAP ERP');
    expect(d.components.every((c) => c.rule.length > 0)).toBe(true);
  });

  it('drops the datastore when stateless and refuses nonsense targets', () => {
    expect(names(deriveDesign('Proxy', { stateless: true }, {}))).not.toContain('primary_datastore');
    expect(() => deriveDesign('X', { availability: 150 }, {})).toThrow(/percentage/);
    expect(() => deriveDesign('X', { latency_ms: 'fast' }, {})).toThrow(/must be a number/);
    expect(() => deriveDesign('X', { integrations: 'stripe' }, {})).toThrow(/list of system names/);
  });
});

describe('evaluateTechnology', () => {
  const scores = { maturity: 9, community: 8, performance: 7, team_familiarity: 6, cost: 5, security: 8 };

  it('computes the weighted score with the default weights', () => {
    const e = evaluateTechnology('Postgres', 'orders', scores);
    // 0.2·9 + 0.15·8 + 0.2·7 + 0.15·6 + 0.1·5 + 0.2·8 = 7.4
    expect(e.score).toBe(7.4);
    expect(e.recommendation).toBe('trial');
    expect(e.pros).toEqual(['strong maturity (9/10, weight 0.2)', 'strong performance (7/10, weight 0.2)', 'strong security (8/10, weight 0.2)', 'strong community (8/10, weight 0.15)']);
    expect(e.cons).toEqual([]);
  });

  it('adopts at exactly 7.5 and holds below 4', () => {
    const flat = (n: number) => ({ maturity: n, community: n, performance: n, team_familiarity: n, cost: n, security: n });
    expect(evaluateTechnology('T', 'u', flat(7.5)).recommendation).toBe('adopt');
    expect(evaluateTechnology('T', 'u', flat(7.49)).recommendation).toBe('trial');
    expect(evaluateTechnology('T', 'u', flat(6)).recommendation).toBe('trial');
    expect(evaluateTechnology('T', 'u', flat(4)).recommendation).toBe('assess');
    expect(evaluateTechnology('T', 'u', flat(3.99)).recommendation).toBe('hold');
  });

  it('caps at assess when a weighted criterion is below 3, unless its weight is zero', () => {
    const weak = { maturity: 10, community: 10, performance: 10, team_familiarity: 10, cost: 10, security: 2 };
    const capped = evaluateTechnology('T', 'u', weak);
    expect(capped.score).toBe(8.4);
    expect(capped.recommendation).toBe('assess');
    expect(capped.rationale).toContain('Capped at assess: security');
    expect(capped.cons).toEqual(['weak security (2/10, weight 0.2)']);
    expect(evaluateTechnology('T', 'u', weak, { security: 0 }).recommendation).toBe('adopt');
  });

  it('normalizes given weights and refuses all-zero weights', () => {
    const e = evaluateTechnology('T', 'u', scores, { maturity: 1, community: 0, performance: 0, team_familiarity: 0, cost: 0, security: 0 });
    expect(e.score).toBe(9);
    expect(() => evaluateTechnology('T', 'u', scores, { maturity: 0, community: 0, performance: 0, team_familiarity: 0, cost: 0, security: 0 })).toThrow(/not all be zero/);
  });
});

describe('componentInventory', () => {
  it('counts uses case-insensitively and computes reuse, shared and candidate components', () => {
    const inv = componentInventory(
      [
        { name: 'Cart', components: ['Button', 'Price', 'List'] },
        { name: 'Checkout', components: ['button', 'Price', 'Form'] },
        { name: 'Receipt', components: ['Button', 'Price'] },
        { name: 'Profile', components: ['Form', 'Avatar'] },
      ],
      2,
    );
    expect(inv.total_uses).toBe(10);
    expect(inv.unique_components).toBe(5);
    expect(inv.reuse_rate).toBe(0.5);
    expect(inv.inventory[0]).toEqual({ component: 'Button', uses: 3, screens: ['Cart', 'Checkout', 'Receipt'] });
    expect(inv.shared_components).toEqual(['Button', 'Price', 'Form']);
    expect(inv.one_off_components).toEqual(['Avatar', 'List']);
    // four screens: at least half (2) makes a candidate
    expect(inv.design_system_candidates).toEqual(['Button', 'Price', 'Form']);
    expect(inv.variants).toBe(8);
  });

  it('needs three screens for a candidate when there are fewer than four, and refuses duplicate screens', () => {
    const inv = componentInventory(
      [
        { name: 'A', components: ['Nav'] },
        { name: 'B', components: ['Nav'] },
      ],
      1,
    );
    expect(inv.design_system_candidates).toEqual([]);
    expect(() => componentInventory([{ name: 'A', components: [] }, { name: 'a', components: [] }], 1)).toThrow(/duplicate screen/);
  });
});

describe('reviewAccessibility', () => {
  it('weights A 3, AA 2, AAA 1, blocks on failed A/AA and claims the highest fully passed level', () => {
    const r = reviewAccessibility([
      { criterion: '1.1.1', level: 'A', passed: true },
      { criterion: '2.1.1', level: 'A', passed: true },
      { criterion: '1.4.3', level: 'AA', passed: false, notes: 'grey on white 3.1:1' },
      { criterion: '1.4.6', level: 'AAA', passed: true },
    ]);
    expect(r.score).toBe(77.8);
    expect(r.conformance_level).toBe('A');
    expect(r.blocking_issues).toEqual([{ criterion: '1.4.3', level: 'AA', notes: 'grey on white 3.1:1' }]);
    expect(r.by_level.AA).toEqual({ reviewed: 1, passed: 0, failed: 1 });
  });

  it('treats a failed AAA as an advisory and never claims an unreviewed level', () => {
    const r = reviewAccessibility([
      { criterion: '1.1.1', level: 'A', passed: true },
      { criterion: '1.4.3', level: 'AA', passed: true },
      { criterion: '1.4.6', level: 'AAA', passed: false },
    ]);
    expect(r).toMatchObject({ conformance_level: 'AA', blocking_issues: [], advisories: [{ criterion: '1.4.6', level: 'AAA', notes: null }] });
    expect(reviewAccessibility([{ criterion: '1.4.3', level: 'AA', passed: true }]).conformance_level).toBe('none');
    expect(reviewAccessibility([{ criterion: '1.1.1', level: 'A', passed: false }])).toMatchObject({ score: 0, conformance_level: 'none' });
  });

  it('refuses duplicate criteria and malformed ids', () => {
    expect(() => reviewAccessibility([{ criterion: '1.1.1', level: 'A', passed: true }, { criterion: '1.1.1', level: 'A', passed: false }])).toThrow(/twice/);
    expect(() => reviewAccessibility([{ criterion: '9.9', level: 'A', passed: true }])).toThrow(/success criterion/);
  });
});

describe('SUS', () => {
  it('scores odd items answer − 1 and even items 5 − answer, times 2.5', () => {
    expect(susScore([5, 1, 5, 1, 5, 1, 5, 1, 5, 1])).toBe(100);
    expect(susScore([3, 3, 3, 3, 3, 3, 3, 3, 3, 3])).toBe(50);
    expect(susScore([4, 2, 4, 2, 4, 2, 4, 2, 4, 2])).toBe(75);
    expect(() => susScore([3, 3, 3])).toThrow(/exactly 10/);
    expect(() => susScore([6, 3, 3, 3, 3, 3, 3, 3, 3, 3])).toThrow(/1\.\.5/);
  });

  it('grades on the Sauro–Lewis curve', () => {
    expect([78.9, 78.8, 72.6, 62.7, 51.7, 51.6].map(susGrade)).toEqual(['A', 'B', 'B', 'C', 'D', 'F']);
  });

  it('averages participants, compares with 68 and flags tasks under 78 % completion', () => {
    const r = reviewUsability(
      [
        [4, 2, 4, 2, 4, 2, 4, 2, 4, 2],
        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
      ],
      [
        { name: 'pay', attempts: 10, completions: 7 },
        { name: 'search', attempts: 10, completions: 8 },
      ],
    );
    expect(r).toMatchObject({ participants: 2, sus_score: 62.5, sus_scores: [75, 50], grade: 'D', above_benchmark: false });
    expect(r.tasks).toEqual([
      { name: 'pay', completion_rate: 0.7, flagged: true },
      { name: 'search', completion_rate: 0.8, flagged: false },
    ]);
    expect(r.findings.some((f) => f.includes('Only 2 participant'))).toBe(true);
    expect(() => reviewUsability([[3, 3, 3, 3, 3, 3, 3, 3, 3, 3]], [{ name: 'x', attempts: 2, completions: 3 }])).toThrow(/between 0 and attempts/);
  });
});
