import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { ruleOnDecision } from '../../functions/core/decisions/decisions.js';
import { ValidationError } from '../../functions/core/errors.js';
import { allocateBudget, setBudget } from '../../functions/core/finance/budget.js';
import { planHeadcount } from '../../functions/core/people/headcount.js';
import { approveHire, listHires } from '../../functions/core/people/hires.js';
import { assessTeamHealth } from '../../functions/core/people/team-health.js';
import { testDeps } from '../helpers/deps.js';

const healthy = { attrition_rate: 0.08, engagement_score: 80, open_positions: 0, headcount: 10, overtime_hours_per_week: 3 };

describe('assessTeamHealth', () => {
  it('scores a team within every norm 100 with no risks', () => {
    const result = assessTeamHealth(healthy);
    expect(result).toMatchObject({ health_score: 100, status: 'healthy', vacancy_rate: 0, risks: [] });
    expect(result.recommendations).toHaveLength(1);
  });

  it('applies each documented penalty and ranks the risks by penalty', () => {
    // attrition 150×(0.20−0.10)=15; engagement 0.5×(75−60)=7.5; vacancy 100×(2/20−0.05)=5; overtime 2.5×(9−5)=10
    const result = assessTeamHealth({ attrition_rate: 0.2, engagement_score: 60, open_positions: 2, headcount: 18, overtime_hours_per_week: 9 });
    expect(result.health_score).toBe(63); // round(100 − 37.5)
    expect(result.status).toBe('at_risk');
    expect(result.vacancy_rate).toBe(0.1);
    expect(result.risks.map((r) => [r.factor, r.penalty, r.severity])).toEqual([
      ['attrition', 15, 'medium'],
      ['overtime', 10, 'medium'],
      ['engagement', 7.5, 'medium'],
      ['vacancy', 5, 'medium'],
    ]);
    expect(result.recommendations).toHaveLength(4);
  });

  it('caps each penalty, bottoms out at 0 and flags burnout', () => {
    const result = assessTeamHealth({ attrition_rate: 0.5, engagement_score: 0, open_positions: 10, headcount: 10, overtime_hours_per_week: 20 });
    expect(result.health_score).toBe(0);
    expect(result.status).toBe('critical');
    expect(result.risks.filter((r) => r.factor !== 'burnout').every((r) => r.severity === 'high')).toBe(true);
    expect(result.risks.map((r) => r.penalty)).toEqual([30, 25, 25, 20, 0]);
    expect(result.risks.at(-1)?.factor).toBe('burnout');
    expect(result.recommendations[0]).toMatch(/Burnout/);
  });

  it('places the band edges as documented', () => {
    // overtime 2.5×(13−5)=20 → 80: healthy; one more hour → 77.5 → 78: at_risk
    expect(assessTeamHealth({ ...healthy, overtime_hours_per_week: 13 })).toMatchObject({ health_score: 80, status: 'healthy' });
    expect(assessTeamHealth({ ...healthy, overtime_hours_per_week: 14 })).toMatchObject({ health_score: 78, status: 'at_risk' });
  });

  it('refuses inconsistent metrics', () => {
    expect(() => assessTeamHealth({ ...healthy, headcount: 0 })).toThrow(ValidationError);
    expect(() => assessTeamHealth({ ...healthy, attrition_rate: 12 })).toThrow(/share/);
    expect(() => assessTeamHealth({ ...healthy, open_positions: 1.5 })).toThrow(ValidationError);
  });
});

describe('hires and headcount plans (core, against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  const ctx = { correlationId: 'test' };
  let now = Date.parse('2026-05-02T10:00:00Z');

  beforeAll(async () => {
    dynamo = new MemoryStore();
    const clock = { now: () => now };
    deps = testDeps({ store: dynamo.connect(), clock, bus: { publish: async () => {} }, staleAfterMs: 60_000 });
  });
  afterAll(async () => {
  });

  it('approves a hire at the CHRO limit, escalates one cent above to the CEO, and lists live statuses', async () => {
    const at = await approveHire(deps, ctx, { tenantId: 'acme', approver: 'chro', roleTitle: 'Staff Engineer', department: 'Engineering', annualCost: 300_000, justification: 'platform' });
    expect(at).toMatchObject({ approved: true, status: 'approved', department: 'engineering', escalation_id: null });
    now += 1000; // hires list newest first
    const above = await approveHire(deps, ctx, { tenantId: 'acme', approver: 'chro', roleTitle: 'VP Sales', department: 'sales', annualCost: 300_000.01, justification: 'growth' });
    expect(above).toMatchObject({ approved: false, status: 'escalated', awaiting: 'ceo' });
    expect(above.escalation_id).toBeTruthy();
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'ceo', decisionId: above.decision_id, ruling: 'approve', rationale: 'ok' });
    const { hires } = await listHires(deps, { tenantId: 'acme', limit: 10 });
    expect(hires.map((h) => [h.hire_id, h.status])).toEqual([
      [above.hire_id, 'approved'],
      [at.hire_id, 'approved'],
    ]);
    expect((await listHires(deps, { tenantId: 'acme', department: 'Sales', limit: 10 })).hires.map((h) => h.hire_id)).toEqual([above.hire_id]);
    expect((await listHires(deps, { tenantId: 'globex', limit: 10 })).hires).toEqual([]);
  });

  it('plans headcount against the remaining budget: funded, shortfall, no budget', async () => {
    await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'engineering', ceiling: 500_000 });
    await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'engineering', amount: 200_000, justification: 'cloud' });
    const funded = await planHeadcount(deps, { tenantId: 'acme', planner: 'chro', department: 'engineering', currentHeadcount: 20, plannedHires: 2, budgetPerHire: 150_000 });
    expect(funded).toMatchObject({
      period: '2026-Q2',
      planned_cost: 300_000,
      budget: { ceiling: 500_000, allocated_total: 200_000, remaining: 300_000 },
      shortfall: 0,
      affordable_hires: 2,
      funded: true,
      within_authority: true,
      growth_rate: 0.1,
      flags: [],
    });
    const short = await planHeadcount(deps, { tenantId: 'acme', planner: 'chro', department: 'engineering', currentHeadcount: 4, plannedHires: 3, budgetPerHire: 150_000 });
    expect(short).toMatchObject({ planned_cost: 450_000, shortfall: 150_000, affordable_hires: 2, funded: false, escalate_to: 'ceo', growth_rate: 0.75 });
    expect(short.flags).toEqual(['shortfall', 'above_authority', 'rapid_growth']);
    const none = await planHeadcount(deps, { tenantId: 'acme', planner: 'chro', department: 'legal', currentHeadcount: 0, plannedHires: 1, budgetPerHire: 90_000 });
    expect(none).toMatchObject({ budget: null, shortfall: 90_000, funded: false, growth_rate: null, flags: ['no_budget'] });
  });
});
