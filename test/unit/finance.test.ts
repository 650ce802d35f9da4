import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/core/errors.js';
import { allocateBudget, getBudget, listBudgets, setBudget } from '../../functions/core/finance/budget.js';
import { approveStrategicInitiative } from '../../functions/core/finance/initiatives.js';
import { currentQuarter, normalizeDepartment, resolvePeriod, toCents } from '../../functions/core/finance/money.js';
import { setAuthority } from '../../functions/core/org/org-chart.js';
import { keys } from '../../functions/core/keys.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import { testDeps } from '../helpers/deps.js';

describe('money and periods', () => {
  it('converts USD to exact cents and refuses negative or sub-cent amounts', () => {
    expect(toCents(1_000_000.01)).toBe(100_000_001);
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(0)).toBe(0);
    expect(() => toCents(-1)).toThrow(ValidationError);
    expect(() => toCents(1.005)).toThrow(/two decimals/);
    expect(() => toCents(Number.NaN)).toThrow(ValidationError);
  });

  it('names the UTC calendar quarter of a time', () => {
    expect(currentQuarter(Date.UTC(2026, 0, 1))).toBe('2026-Q1');
    expect(currentQuarter(Date.UTC(2026, 2, 31, 23, 59, 59))).toBe('2026-Q1');
    expect(currentQuarter(Date.UTC(2026, 3, 1))).toBe('2026-Q2');
    expect(currentQuarter(Date.UTC(2026, 11, 31))).toBe('2026-Q4');
  });

  it('normalizes periods, defaults to the current quarter and refuses others', () => {
    const now = Date.UTC(2026, 10, 21);
    expect(resolvePeriod(undefined, now)).toBe('2026-Q4');
    expect(resolvePeriod('2027-q1', now)).toBe('2027-Q1');
    expect(resolvePeriod('2027', now)).toBe('2027');
    expect(() => resolvePeriod('2027-Q5', now)).toThrow(ValidationError);
    expect(() => resolvePeriod('27-Q1', now)).toThrow(ValidationError);
  });

  it('gives departments a stable id and refuses unsafe names', () => {
    expect(normalizeDepartment('  Customer   Success ')).toBe('customer_success');
    expect(normalizeDepartment('R&D')).toBe('r&d');
    expect(() => normalizeDepartment('   ')).toThrow(ValidationError);
    expect(() => normalizeDepartment('../other#tenant')).toThrow(ValidationError);
  });
});

describe('budgets and initiatives (core, against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  const events: OutboundEvent[] = [];
  const now = Date.parse('2026-11-21T10:00:00Z');
  const ctx = { correlationId: 'test' };

  beforeAll(async () => {
    dynamo = new MemoryStore();
    const clock = { now: () => now };
    deps = testDeps({ store: dynamo.connect(), clock, bus: { publish: async (e) => void events.push(...e) }, staleAfterMs: 60_000 });
  });
  afterAll(async () => {
  });

  it('sets a ceiling in the current quarter and allocates against it, refusing what does not fit', async () => {
    const set = await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'Engineering', ceiling: 1000 });
    expect(set).toMatchObject({ status: 'set', period: '2026-Q4', department: 'engineering', budget: { ceiling: 1000, allocated_total: 0, remaining: 1000 } });
    const first = await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'engineering', amount: 600.5, justification: 'laptops' });
    expect(first).toMatchObject({ allocated: true, allocated_total: 600.5, remaining: 399.5, ceiling: 1000 });
    await expect(allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'engineering', amount: 399.51, justification: 'more' })).rejects.toThrow(
      /399\.5 USD remains/,
    );
    const exact = await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'engineering', amount: 399.5, justification: 'rest' });
    expect(exact).toMatchObject({ allocated_total: 1000, remaining: 0 });
    expect(await getBudget(deps, 'acme', { department: 'ENGINEERING' })).toMatchObject({ allocations: 2, remaining: 0 });
  });

  it('never lowers a ceiling below what is allocated, and never allocates without a budget', async () => {
    await expect(setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'engineering', ceiling: 999.99 })).rejects.toThrow(ConflictError);
    await expect(allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'marketing', amount: 1, justification: 'x' })).rejects.toThrow(NotFoundError);
    expect(await getBudget(deps, 'acme', { department: 'marketing' })).toBeNull();
  });

  it('keeps concurrent allocations and ceiling changes within the ceiling', async () => {
    await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'ops', period: '2027-Q1', ceiling: 500 });
    const results = await Promise.allSettled([
      ...Array.from({ length: 15 }, () => allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'ops', period: '2027-Q1', amount: 50, justification: 'x' })),
      setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'ops', period: '2027-Q1', ceiling: 300 }),
    ]);
    const budget = await getBudget(deps, 'acme', { department: 'ops', period: '2027-Q1' });
    const allocated = results.slice(0, 15).filter((r) => r.status === 'fulfilled').length;
    expect(budget?.allocated_total).toBe(allocated * 50);
    expect(budget?.allocated_total).toBeLessThanOrEqual(budget?.ceiling ?? 0);
    expect(budget?.allocations).toBe(allocated);
  });

  it('escalates a ceiling and an allocation above authority, then applies them once the decision is approved', async () => {
    await setAuthority(deps, ctx, { tenantId: 'acme', role: 'ceo', limit: 2000, by: { kind: 'operator', name: 'test' } });
    const asked = await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'sales', ceiling: 5000 });
    expect(asked).toMatchObject({ status: 'escalated', budget: null });
    expect(await getBudget(deps, 'acme', { department: 'sales' })).toBeNull();
    const decisionId = asked.decision_id as string;
    await expect(setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'sales', ceiling: 5000, decisionId })).rejects.toThrow(/awaiting board/);
    await expect(setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'sales', ceiling: 6000, decisionId })).rejects.toThrow(/not "set_ceiling 6,000/);
    // The board approves (written as rule_on_decision would, to keep this test on the budget logic).
    const item = await deps.store.get(keys.decisionItem('acme', decisionId));
    await deps.store.put({ ...item!, status: 'approved', awaiting: null, version: Number(item!.version) + 1 });
    const applied = await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'sales', ceiling: 5000, decisionId });
    expect(applied).toMatchObject({ status: 'set', budget: { ceiling: 5000 } });

    const big = await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'sales', amount: 2000.01, justification: 'fair' });
    expect(big).toMatchObject({ allocated: false, status: 'escalated', allocated_total: 0, tracking_id: big.decision_id });
    const bigItem = await deps.store.get(keys.decisionItem('acme', big.decision_id as string));
    await deps.store.put({ ...bigItem!, status: 'approved', awaiting: null, version: Number(bigItem!.version) + 1 });
    const done = await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'sales', amount: 2000.01, justification: 'fair', decisionId: big.decision_id as string });
    expect(done).toMatchObject({ allocated: true, allocated_total: 2000.01, tracking_id: big.decision_id });
    await expect(
      allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'ceo', department: 'sales', amount: 2000.01, justification: 'fair', decisionId: big.decision_id as string }),
    ).rejects.toThrow(/already allocated/);
    expect((await getBudget(deps, 'acme', { department: 'sales' }))?.allocated_total).toBe(2000.01);
    await setAuthority(deps, ctx, { tenantId: 'acme', role: 'ceo', limit: 1_000_000, by: { kind: 'operator', name: 'test' } });
  });

  it('lists a period’s budgets per tenant only', async () => {
    const { budgets } = await listBudgets(deps, 'acme', {});
    expect(budgets.map((b) => b.department).sort()).toEqual(['engineering', 'sales']);
    expect((await listBudgets(deps, 'globex', {})).budgets).toEqual([]);
  });

  it('approves an initiative at exactly the limit and escalates one cent above it to the board', async () => {
    const at = await approveStrategicInitiative(deps, ctx, { tenantId: 'acme', approver: 'ceo', initiative: 'EU launch', businessValue: 'revenue', budget: 1_000_000 });
    expect(at).toMatchObject({ approved: true, status: 'approved', escalation_id: null, awaiting: null, authority_limit: 1_000_000 });
    const above = await approveStrategicInitiative(deps, ctx, { tenantId: 'acme', approver: 'ceo', initiative: 'US launch', businessValue: 'revenue', budget: 1_000_000.01 });
    expect(above).toMatchObject({ approved: false, status: 'escalated', awaiting: 'board' });
    expect(above.escalation_id).toBeTruthy();
    expect(events.some((e) => e.detailType === 'Decision.Escalated.v1' && e.detail.decision_id === above.decision_id)).toBe(true);
  });
});
