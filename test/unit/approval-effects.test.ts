import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { EndpointId } from '../../functions/contracts/roles.js';
import type { Deps } from '../../functions/core/context.js';
import { getDecision, proposeDecision, ruleOnDecision } from '../../functions/core/decisions/decisions.js';
import { escalateToBoard } from '../../functions/core/decisions/escalate.js';
import { DEPLOYMENT, approveDeployment } from '../../functions/core/engineering/deployment.js';
import { INITIATIVE, approveStrategicInitiative, getInitiative } from '../../functions/core/finance/initiatives.js';
import { keys } from '../../functions/core/keys.js';
import { readInbox } from '../../functions/core/messages/messages.js';
import { CHANGE_WINDOW, approveChangeWindow } from '../../functions/core/operations/change-windows.js';
import { declareIncident, resolveIncident } from '../../functions/core/operations/incidents.js';
import { applyDecisionOutcome } from '../../functions/core/outcomes/approval-effects.js';
import { runQualityGate } from '../../functions/core/quality/quality-gate.js';
import { settleDecisionRequests } from '../../functions/core/workflows/decision-runs.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import { testDeps } from '../helpers/deps.js';

/**
 * Approvals of strategic initiatives and deployments take effect like the
 * budget, hire and change-window ones: the approved decision's commitment
 * is applied once however often the approval is delivered, a rejection is
 * recorded on the commitment's record, and the initiator is told once.
 */
describe('approval effects: strategic initiatives and deployments', () => {
  let deps: Deps;
  const events: OutboundEvent[] = [];
  const now = Date.parse('2026-11-21T10:00:00Z');
  const ctx = { correlationId: 'test' };
  const GOOD = { tests_total: 100, tests_passed: 100, coverage_pct: 90 };

  beforeAll(() => {
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => now }, bus: { publish: async (e) => void events.push(...e) } });
  });

  const outcomesFor = async (role: EndpointId, id: string) =>
    (await readInbox(deps, { tenantId: 'acme', recipient: role, unreadOnly: false, limit: 100 })).threads
      .flatMap((t) => t.messages)
      .filter((m) => m.subject.startsWith('Outcome:') && m.content.includes(id));
  const deployment = (id: string) => deps.store.get(keys.record('acme', DEPLOYMENT, id));

  it('records an escalated initiative as approved once the board approves, exactly once however often the approval is delivered', async () => {
    const asked = await approveStrategicInitiative(deps, ctx, { tenantId: 'acme', approver: 'ceo', initiative: 'Enter Japan', businessValue: 'new market', budget: 1_500_000 });
    expect(asked).toMatchObject({ approved: false, status: 'escalated', awaiting: 'board' });
    expect(await getInitiative(deps, 'acme', asked.initiative_id)).toMatchObject({ status: 'escalated', decision_id: asked.decision_id, budget_cents: 150_000_000 });
    expect((await getDecision(deps, 'acme', asked.decision_id)).commitment).toEqual({
      kind: 'strategic_initiative',
      params: { initiative_id: asked.initiative_id, budget_cents: 150_000_000, initiative: 'Enter Japan' },
    });
    // Not applied while it waits.
    expect(await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id)).toEqual({ applied: null, reported: false });

    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'board', decisionId: asked.decision_id, ruling: 'approve', rationale: 'go east' });
    const first = await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id);
    const recorded = await getInitiative(deps, 'acme', asked.initiative_id);
    const again = await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id);
    expect(first).toEqual({ reported: true, applied: `initiative ${asked.initiative_id} "Enter Japan" (1,500,000 USD) recorded as approved` });
    expect(again).toEqual({ reported: false, applied: expect.stringContaining('was already recorded as approved') });
    expect(recorded).toMatchObject({ status: 'approved', decided_by: 'board' });
    expect(await getInitiative(deps, 'acme', asked.initiative_id)).toEqual(recorded);

    const told = await outcomesFor('ceo', asked.decision_id);
    expect(told).toHaveLength(1);
    expect(told[0]?.subject).toContain('approved by board');
    expect(told[0]?.content).toContain('recorded as approved');
    expect(events.filter((e) => e.detailType === 'Outcome.Reported.v1' && (e.detail as { subject_id: string }).subject_id === asked.decision_id)).toHaveLength(1);
  });

  it('records a rejected initiative as rejected, once, and tells the CEO once', async () => {
    const asked = await approveStrategicInitiative(deps, ctx, { tenantId: 'acme', approver: 'ceo', initiative: 'Buy a rival', businessValue: 'scale', budget: 5_000_000 });
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'board', decisionId: asked.decision_id, ruling: 'reject', rationale: 'too dear' });
    await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id);
    await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id);
    expect(await getInitiative(deps, 'acme', asked.initiative_id)).toMatchObject({ status: 'rejected', decided_by: 'board', version: 3 });
    const told = await outcomesFor('ceo', asked.decision_id);
    expect(told).toHaveLength(1);
    expect(told[0]?.subject).toContain('rejected by board');
  });

  it('records an initiative within authority as approved at once; its own approval tells nobody and changes nothing', async () => {
    const asked = await approveStrategicInitiative(deps, ctx, { tenantId: 'acme', approver: 'ceo', initiative: 'Docs site', businessValue: 'fewer tickets', budget: 1_000_000 });
    expect(asked).toMatchObject({ approved: true, status: 'approved' });
    const recorded = await getInitiative(deps, 'acme', asked.initiative_id);
    expect(recorded).toMatchObject({ status: 'approved', decided_by: 'ceo' });
    expect((await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id)).reported).toBe(false);
    expect(await getInitiative(deps, 'acme', asked.initiative_id)).toEqual(recorded);
    expect((await deps.store.query({ index: 'gsi1', pk: keys.recordIndex('acme', INITIATIVE), limit: 10 })).items).toHaveLength(3);
  });

  it('puts a deployment to the board (human mode): awaiting until approved, then approved once with its plan', async () => {
    await runQualityGate(deps, { tenantId: 'acme', runBy: 'test_lead', release: 'v5.0.0', results: GOOD });
    const asked = await approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release: 'v5.0.0', environments: ['production', 'staging'], mode: 'human' }, ctx);
    expect(asked).toMatchObject({ approved: false, status: 'awaiting', awaiting: 'board' });
    expect(asked.deployment_plan?.steps.map((s) => s.environment)).toEqual(['staging', 'production']);
    const decisionId = asked.decision_id as string;
    expect(await getDecision(deps, 'acme', decisionId)).toMatchObject({ mode: 'human', decision_type: 'deployment', commitment: { kind: 'deployment', params: { deployment_id: asked.deployment_id } } });
    expect(await deployment(asked.deployment_id)).toMatchObject({ status: 'awaiting', approved: false, decision_id: decisionId, awaiting: 'board' });

    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'board', decisionId, ruling: 'approve', rationale: 'ship' });
    const first = await applyDecisionOutcome(deps, ctx, 'acme', decisionId);
    const approved = await deployment(asked.deployment_id);
    const again = await applyDecisionOutcome(deps, ctx, 'acme', decisionId);
    expect(first.applied).toMatch(/^deployment \w+ of v5\.0\.0 approved \(quality gate \w+ passed/);
    expect(again).toEqual({ reported: false, applied: `deployment ${asked.deployment_id} of v5.0.0 was already approved` });
    expect(approved).toMatchObject({ status: 'approved', approved: true, awaiting: null, decided_by: 'board', deployment_plan: { release: 'v5.0.0' } });
    expect(await deployment(asked.deployment_id)).toEqual(approved);
    expect(await outcomesFor('cto', decisionId)).toHaveLength(1);
  });

  it('checks the rule again when the ruling lands: a severity-1 incident opened meanwhile refuses the approved deployment, and the CTO is told why', async () => {
    await runQualityGate(deps, { tenantId: 'acme', runBy: 'test_lead', release: 'v5.1.0', results: GOOD });
    const asked = await approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release: 'v5.1.0', environments: ['production'], mode: 'hierarchical' }, ctx);
    expect(asked).toMatchObject({ status: 'awaiting', awaiting: 'ceo' });
    const { incident } = await declareIncident(deps, ctx, { tenantId: 'acme', declaredBy: 'operations_head', title: 'DB down', severity: 1, description: 'x', affectedServices: ['db'] });
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'ceo', decisionId: asked.decision_id as string, ruling: 'approve', rationale: 'ok' });
    const outcome = await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id as string);
    expect(outcome.applied).toMatch(/^not applied: approve_deployment now refuses v5\.1\.0: severity-1 incident/);
    expect(await deployment(asked.deployment_id)).toMatchObject({ status: 'refused', approved: false, deployment_plan: null });
    expect((await outcomesFor('cto', asked.decision_id as string))[0]?.content).toContain('severity-1 incident');
    await resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId: incident.incident_id, resolution: 'fixed' });
  });

  it('records a rejected deployment as rejected and puts a refused one to nobody', async () => {
    const asked = await approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release: 'v5.0.0', environments: ['staging'], mode: 'human' }, ctx);
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'board', decisionId: asked.decision_id as string, ruling: 'reject', rationale: 'freeze' });
    expect((await applyDecisionOutcome(deps, ctx, 'acme', asked.decision_id as string)).applied).toBeNull();
    expect(await deployment(asked.deployment_id)).toMatchObject({ status: 'rejected', approved: false, decided_by: 'board' });
    expect((await outcomesFor('cto', asked.decision_id as string))[0]?.subject).toContain('rejected by board');

    const refused = await approveDeployment(deps, { tenantId: 'acme', approver: 'cto', release: 'v9.9.9', environments: ['staging'], mode: 'human' }, ctx);
    expect(refused).toMatchObject({ status: 'refused', approved: false, decision_id: null, awaiting: null });
  });

  it('escalate_to_board: one actionable board message naming the ruling task; the escalating CEO hears the outcome once, as well as the initiator', async () => {
    const d = await proposeDecision(deps, ctx, { tenantId: 'acme', initiator: 'cto', decisionType: 'vendor', mode: 'hierarchical', context: 'Second cloud' });
    const { escalation_id: escalationId, message_id: messageId } = await escalateToBoard(deps, ctx, { tenantId: 'acme', by: 'ceo', decisionId: d.decision_id, urgency: 'high', reason: 'lock-in' });
    const board = async (actionableOnly: boolean) =>
      (await readInbox(deps, { tenantId: 'acme', recipient: 'board', unreadOnly: false, limit: 100, actionableOnly })).threads.flatMap((t) => t.messages).filter((m) => m.content.includes(d.decision_id));
    const asked = await board(true);
    expect(asked.map((m) => m.message_id)).toEqual([messageId]);
    expect(asked[0]).toMatchObject({ from: 'ceo', priority: 'high', actionable: true });
    expect(asked[0]?.content).toContain(`${escalationId}.ruling.0.board`);

    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'board', decisionId: d.decision_id, ruling: 'approve', rationale: 'yes' });
    // What the decision-workflows consumer runs when the decision closes.
    await settleDecisionRequests(deps, 'acme', d.decision_id);
    expect(await board(true)).toEqual([]);
    expect((await board(false)).map((m) => m.actionable)).toEqual([false]);
    await applyDecisionOutcome(deps, ctx, 'acme', d.decision_id);
    await applyDecisionOutcome(deps, ctx, 'acme', d.decision_id);
    expect((await outcomesFor('cto', d.decision_id)).map((m) => m.subject)).toEqual([`Outcome: your vendor request (decision ${d.decision_id}) was approved by board`]);
    expect((await outcomesFor('ceo', d.decision_id)).map((m) => m.subject)).toEqual([`Outcome: the vendor request (decision ${d.decision_id}) you escalated was approved by board`]);
    expect(events.filter((e) => e.detailType === 'Outcome.Reported.v1' && (e.detail as { subject_id: string }).subject_id === d.decision_id)).toHaveLength(1);
  });

  it('records a rejected change window as rejected', async () => {
    const w = await approveChangeWindow(deps, ctx, {
      tenantId: 'acme',
      requestedBy: 'operations_head',
      start: new Date(now + 3_600_000).toISOString(),
      end: new Date(now + 2 * 3_600_000).toISOString(),
      services: ['checkout'],
      risk: 'low',
      amount: 400_000,
    });
    expect(w).toMatchObject({ status: 'escalated', awaiting: 'ceo' });
    await ruleOnDecision(deps, ctx, { tenantId: 'acme', ruler: 'ceo', decisionId: w.decision_id as string, ruling: 'reject', rationale: 'not during the sale' });
    await applyDecisionOutcome(deps, ctx, 'acme', w.decision_id as string);
    expect(await deps.store.get(keys.record('acme', CHANGE_WINDOW, w.window_id))).toMatchObject({ status: 'rejected', approved: false, awaiting: null });
  });
});
