import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { getDecision, proposeDecision, ruleOnDecision, settleIfDue } from '../../functions/core/decisions/decisions.js';
import { castVote } from '../../functions/core/decisions/decisions.js';
import { ConflictError, PreconditionFailedError } from '../../functions/core/errors.js';
import { allocateBudget, listBudgets, setBudget } from '../../functions/core/finance/budget.js';
import { keys } from '../../functions/core/keys.js';
import { readInbox } from '../../functions/core/messages/messages.js';
import { resolveRequests } from '../../functions/core/messages/requests.js';
import { deliver } from '../../functions/core/messages/messages.js';
import { applyDecisionOutcome } from '../../functions/core/outcomes/approval-effects.js';
import { approveHire } from '../../functions/core/people/hires.js';
import { recordHeartbeat } from '../../functions/core/agents/agents.js';
import { routeByCapability } from '../../functions/core/workflows/routing.js';
import { updateVersioned } from '../../functions/core/versioned.js';
import { resultProblems } from '../../functions/core/workflows/result-schema.js';
import { stageRule } from '../../functions/core/workflows/stage-rules.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import type { Item, Store } from '../../functions/ports/store.js';
import { testDeps } from '../helpers/deps.js';

describe('updateVersioned', () => {
  it('retries a lost race on the fresh item, and gives up with a ConflictError after the bounded attempts', async () => {
    let stored: Item = { pk: 'P', sk: 'S', n: 1, version: 1 };
    let races = 2;
    const store = {
      get: async () => stored,
      put: async (item: Item, pre?: { kind: string; version?: number }) => {
        if (races-- > 0) {
          stored = { ...stored, n: Number(stored.n) + 10, version: Number(stored.version) + 1 };
          throw new PreconditionFailedError('raced');
        }
        if (pre?.kind === 'version' && pre.version !== stored.version) throw new PreconditionFailedError('stale');
        stored = item;
      },
    } as unknown as Store;
    const seen: number[] = [];
    const updated = await updateVersioned(store, { pk: 'P', sk: 'S' }, (item) => {
      seen.push(Number(item.n));
      return { ...item, n: Number(item.n) + 1 };
    });
    expect(seen).toEqual([1, 11, 21]);
    expect(updated).toMatchObject({ changed: true, item: { n: 22, version: 4 } });

    races = 100;
    await expect(updateVersioned(store, { pk: 'P', sk: 'S' }, (item) => ({ ...item }), { attempts: 3, what: 'thing T' })).rejects.toThrow(ConflictError);
  });

  it('returns undefined for a missing item, and creates it from `create` only if still absent', async () => {
    const items = new Map<string, Item>();
    const store = {
      get: async (k: { sk: string }) => items.get(k.sk),
      put: async (item: Item, pre?: { kind: string }) => {
        if (pre?.kind === 'absent' && items.has(item.sk)) throw new PreconditionFailedError('exists');
        items.set(item.sk, item);
      },
    } as unknown as Store;
    expect(await updateVersioned(store, { pk: 'P', sk: 'A' }, (i) => i)).toBeUndefined();
    const created = await updateVersioned(store, { pk: 'P', sk: 'A' }, (i) => ({ ...i, n: 1 }), { create: () => ({ pk: 'P', sk: 'A' }) });
    expect(created).toMatchObject({ changed: true, item: { n: 1, version: 1 } });
  });
});

describe('stage results', () => {
  it('declares what each governed stage needs and names every problem', () => {
    const gate = stageRule('feature_development', 'quality_gate');
    expect(gate?.governs).toBe('quality_gate');
    expect(resultProblems(gate?.resultSchema ?? {}, { tests_total: 0, coverage_pct: 'high' })).toEqual([
      'result.tests_passed is required',
      'result.tests_total must be at least 1',
      'result.coverage_pct must be a number',
    ]);
    expect(resultProblems(stageRule('feature_development', 'define')?.resultSchema ?? {}, { release_id: 'v1' })).toEqual([]);
    expect(stageRule('incident_response', 'triage')).toBeUndefined();
  });
});

describe('one organization (core, against the in-memory store)', () => {
  let deps: Deps;
  const events: OutboundEvent[] = [];
  let now = Date.parse('2026-11-21T10:00:00Z');
  const ctx = { correlationId: 'test' };

  beforeAll(() => {
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => now }, bus: { publish: async (e) => void events.push(...e) } });
  });

  const outcomesFor = async (role: 'ceo' | 'chro' | 'cto', id: string) =>
    (await readInbox(deps, { tenantId: 'acme', recipient: role, unreadOnly: false, limit: 100 })).threads.flatMap((t) => t.messages).filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(id));

  it('applies an approved escalated allocation exactly once, however often the approval is delivered, and tells the initiator once', async () => {
    const ceiling = await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'research', period: '2027', ceiling: 1_000_000 });
    expect(ceiling.status).toBe('set');
    const asked = await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'chro', department: 'research', period: '2027', amount: 400_000, justification: 'lab' });
    expect(asked.status).toBe('escalated');
    const decisionId = asked.decision_id as string;
    expect((await getDecision(deps, 'acme', decisionId)).commitment).toMatchObject({ kind: 'budget_allocation' });
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'ceo', decisionId, ruling: 'approve', rationale: 'fine' });

    const first = await applyDecisionOutcome(deps, ctx, 'acme', decisionId);
    const again = await applyDecisionOutcome(deps, ctx, 'acme', decisionId);
    expect(first).toMatchObject({ reported: true, applied: expect.stringContaining('allocated 400,000 USD to research for 2027') });
    expect(again.reported).toBe(false);
    const { budgets } = await listBudgets(deps, 'acme', { period: '2027' });
    expect(budgets.find((b) => b.department === 'research')).toMatchObject({ allocated_total: 400_000, allocations: 1 });
    expect(await outcomesFor('chro', decisionId)).toHaveLength(1);
    expect(events.filter((e) => e.detailType === 'Outcome.Reported.v1' && (e.detail as { subject_id: string }).subject_id === decisionId)).toHaveLength(1);
    const link = await deps.store.get(keys.record('acme', 'OUTCOME', `decision#${decisionId}`));
    expect(link).toMatchObject({ status: 'approved', decided_by: 'ceo', applied: expect.stringContaining('allocation') });
  });

  it('records a rejection the same way: nothing applied, the initiator told once', async () => {
    const asked = await allocateBudget(deps, ctx, { tenantId: 'acme', allocator: 'chro', department: 'research', period: '2027', amount: 350_000, justification: 'more lab' });
    const decisionId = asked.decision_id as string;
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'ceo', decisionId, ruling: 'reject', rationale: 'not now' });
    await applyDecisionOutcome(deps, ctx, 'acme', decisionId);
    await applyDecisionOutcome(deps, ctx, 'acme', decisionId);
    const { budgets } = await listBudgets(deps, 'acme', { period: '2027' });
    expect(budgets.find((b) => b.department === 'research')?.allocated_total).toBe(400_000);
    const told = await outcomesFor('chro', decisionId);
    expect(told).toHaveLength(1);
    expect(told[0]?.subject).toContain('rejected by ceo');
  });

  it('sends a hire that would over-allocate its department budget to the superior, and draws it once approved', async () => {
    await setBudget(deps, ctx, { tenantId: 'acme', setter: 'ceo', department: 'platform', ceiling: 200_000 });
    const within = await approveHire(deps, ctx, { tenantId: 'acme', approver: 'chro', roleTitle: 'SRE', department: 'platform', annualCost: 150_000, justification: 'on-call' });
    expect(within).toMatchObject({ approved: true });
    expect(within.rationale).toContain('drawn on the platform budget');
    const over = await approveHire(deps, ctx, { tenantId: 'acme', approver: 'chro', roleTitle: 'SRE 2', department: 'platform', annualCost: 100_000, justification: 'growth' });
    expect(over).toMatchObject({ approved: false, status: 'pending', awaiting: 'ceo' });
    expect(over.rationale).toContain('over-allocate');
  });

  it('keeps a missed quorum escalated after the deadline, until it is ruled', async () => {
    const d = await proposeDecision(deps, ctx, {
      tenantId: 'acme',
      initiator: 'cto',
      decisionType: 'roadmap',
      mode: 'collaborative',
      context: 'x',
      participants: ['senior_architect', 'senior_developer', 'test_lead', 'uiux_engineer'],
      deadline: new Date(now + 60_000).toISOString(),
    });
    await castVote(deps, ctx, { tenantId: 'acme', voter: 'test_lead', decisionId: d.decision_id, vote: 'approve', confidence: 1 });
    now += 61_000;
    await settleIfDue(deps, ctx, 'acme', d.decision_id);
    expect(await getDecision(deps, 'acme', d.decision_id)).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
    now += 3_600_000;
    await settleIfDue(deps, ctx, 'acme', d.decision_id);
    expect(await getDecision(deps, 'acme', d.decision_id)).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
  });

  it('resolves a request for every recipient, and the actionable view shows only what is unsettled', async () => {
    const base = { tenantId: 'acme', from: 'conclave' as const, type: 'request' as const, priority: 'high' as const, content: 'c', threadId: 't', replyTo: null, correlationId: 'c', sentAt: new Date(now).toISOString() };
    await deliver(deps, { ...base, messageId: 'm1', to: 'leadership', recipients: ['cto', 'chro'], subject: 'Please rule', request: 'decision:d1' });
    await deliver(deps, { ...base, messageId: 'm2', to: 'cto', recipients: ['cto'], subject: 'FYI' });
    const actionable = async (role: 'cto' | 'chro') => (await readInbox(deps, { tenantId: 'acme', recipient: role, unreadOnly: false, limit: 50, actionableOnly: true })).threads.flatMap((t) => t.messages.map((m) => m.subject));
    expect(await actionable('cto')).toEqual(['Please rule']);
    expect(await actionable('chro')).toEqual(['Please rule']);
    expect(await resolveRequests(deps, 'acme', 'decision:d1')).toBe(2);
    expect(await actionable('cto')).toEqual([]);
    expect(await actionable('chro')).toEqual([]);
    expect(await resolveRequests(deps, 'acme', 'decision:d1')).toBe(0);
    const all = (await readInbox(deps, { tenantId: 'acme', recipient: 'cto', unreadOnly: true, limit: 50 })).threads.flatMap((t) => t.messages.map((m) => m.subject));
    expect(all).toEqual(['FYI']);
  });

  it('routes a stage by capability to the roles whose agents declared it, else to the stage role, saying why', async () => {
    const fallback = await routeByCapability(deps, 'acme', 'implement', 'implementation', [{ assignee: 'senior_developer' }]);
    expect(fallback).toEqual([{ assignee: 'senior_developer', routedBecause: expect.stringContaining('no agent declared it') }]);
    await recordHeartbeat(deps, ctx, { tenantId: 'acme', role: 'senior_architect', capabilities: ['Implementation', 'system_design'] });
    const routed = await routeByCapability(deps, 'acme', 'implement', 'implementation', [{ assignee: 'senior_developer' }]);
    expect(routed).toEqual([{ assignee: 'senior_architect', routedBecause: expect.stringContaining('which your agent declared') }]);
    const plain = await routeByCapability(deps, 'acme', 'deploy_approval', undefined, [{ assignee: 'cto' }, { assignee: 'operations_head' }]);
    expect(plain.map((a) => a.routedBecause)).toEqual(['the deploy_approval stage is assigned to the cto role', 'the deploy_approval stage is assigned to the operations_head role']);
  });
});
