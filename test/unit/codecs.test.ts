import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { auditCodec } from '../../functions/core/audit/audit.js';
import { agentCodec } from '../../functions/core/agents/agents.js';
import { apiKeyCodec } from '../../functions/core/auth/api-keys.js';
import { activationCodec, roleAutopilotCodec, tenantAutopilotCodec } from '../../functions/core/autopilot/records.js';
import { planCodec } from '../../functions/core/delivery/implementation-plan.js';
import { designCodec } from '../../functions/core/design/design-record.js';
import { escalationCodec, voteCodec } from '../../functions/core/decisions/decision-record.js';
import { deploymentCodec } from '../../functions/core/engineering/deployment.js';
import { tenantLimitsCodec } from '../../functions/core/limits/tenant-limits.js';
import { ConflictError } from '../../functions/core/errors.js';
import { MalformedRecordError } from '../../functions/core/fields.js';
import { allocationCodec, budgetCodec, budgetRequestCodec } from '../../functions/core/finance/budget-record.js';
import { mappingCodec } from '../../functions/core/identity/mappings.js';
import { fromItem, memoryCodec } from '../../functions/core/memory/model.js';
import { memoryCountsCodec, unindexedCodec } from '../../functions/core/memory/search-index.js';
import { actionableCodec, inboxCodec, requestEntryCodec } from '../../functions/core/messages/message-record.js';
import { clientCodec, codeCodec, grantCodec } from '../../functions/core/oauth/records.js';
import { changeWindowCodec } from '../../functions/core/operations/change-windows.js';
import { incidentCodec } from '../../functions/core/operations/incident-record.js';
import { orgChartCodec } from '../../functions/core/org/org-chart.js';
import { hireCodec } from '../../functions/core/people/hire-record.js';
import { featureCodec } from '../../functions/core/product/features.js';
import { requirementsCodec } from '../../functions/core/product/requirements.js';
import { defectCodec } from '../../functions/core/quality/defects.js';
import { testPlanCodec } from '../../functions/core/quality/test-plan.js';
import { gateCodec } from '../../functions/core/quality/quality-gate.js';
import { releaseCodec } from '../../functions/core/quality/release.js';
import { updateRecord, updateVersioned, type Codec } from '../../functions/core/versioned.js';
import { decisionWaiterCodec } from '../../functions/core/workflows/records.js';
import { historyCodec } from '../../functions/core/workflows/run-record.js';
import type { Item, Store } from '../../functions/ports/store.js';
import { PreconditionFailedError } from '../../functions/ports/errors.js';

const AT = '2026-12-06T06:00:00.000Z';
const T = 'acme';

/** One entity: its codec, a record as the use cases build it, and a field whose wrong type the decoder must refuse. */
interface Case {
  readonly name: string;
  readonly codec: Codec<unknown>;
  readonly record: unknown;
  readonly malformed: { readonly field: string; readonly value: unknown };
}

const entity = <T>(name: string, codec: Codec<T>, record: T, malformed: Case['malformed']): Case => ({ name, codec: codec as Codec<unknown>, record, malformed });

const CASES: Case[] = [
  entity('budget', budgetCodec, { tenant_id: T, department: 'engineering', period: '2026-Q4', ceiling_cents: 100_000_00, allocated_cents: 25_000_00, overage_cents: -75_000_00, allocation_count: 2, ceiling_set_by: 'ceo', ceiling_decision_id: null, created_at: AT, updated_at: AT, version: 3 }, { field: 'ceiling_cents', value: '100000' }),
  entity('budget request', budgetRequestCodec, { tenant_id: T, decision_id: 'd1', requested_by: 'cto', requested_at: AT, action: 'allocate', department: 'engineering', period: '2026-Q4', amount_cents: 5_00, justification: 'laptops' }, { field: 'action', value: 'steal' }),
  entity('allocation', allocationCodec, { tenant_id: T, tracking_id: 'a1', department: 'engineering', period: '2026', amount_cents: 12_34, justification: 'x', allocated_by: 'cto', decision_id: null, allocated_at: AT }, { field: 'amount_cents', value: null }),
  entity('hire', hireCodec, { tenant_id: T, hire_id: 'h1', role_title: 'SRE', department: 'ops', annual_cost_cents: 150_000_00, justification: 'on call', requested_by: 'chro', decision_id: 'd2', requested_at: AT }, { field: 'annual_cost_cents', value: '150000' }),
  entity('incident', incidentCodec, { tenant_id: T, incident_id: 'i1', title: 'down', severity: 1, status: 'open', description: 'd', affected_services: ['checkout'], declared_by: 'operations_head', declared_at: AT, resolved_at: null, resolved_by: null, resolution: null, version: 1 }, { field: 'severity', value: 7 }),
  entity('defect', defectCodec, { tenant_id: T, defect_id: 'f1', release: 'v1.0.0', title: 't', description: 'd', severity: 'critical', priority: 'P1', status: 'open', component: null, affected_users_pct: 30, reported_by: 'test_lead', reported_at: AT, version: 1 }, { field: 'severity', value: 'catastrophic' }),
  entity('quality gate', gateCodec, { tenant_id: T, gate_id: 'g1', release: 'v1.0.0', passed: false, checks: [{ name: 'pass_rate', passed: false, detail: '9/10' }], failed_checks: ['pass_rate'], run_by: 'test_lead', created_at: AT, results: { tests_total: 10 }, defect_ids: [], version: 1 }, { field: 'passed', value: 'yes' }),
  entity('release', releaseCodec, { tenant_id: T, release: 'v1.0.0', latest_plan_id: 'p1', coverage_target_pct: 80, planned_test_types: ['unit'], latest_gate_id: null, latest_gate_passed: null, latest_gate_order: null, updated_at: AT }, { field: 'planned_test_types', value: 'unit' }),
  entity('inbox message', inboxCodec(T, 'cto'), { message_id: 'm1', from: 'ceo', to: 'cto', message_type: 'request', priority: 'high', subject: 's', content: 'c', thread_id: 'm1', reply_to: null, correlation_id: 'c1', sent_at: AT, read: false, read_at: null, request: 'task:t1', resolved: false, resolved_at: null }, { field: 'read', value: 'false' }),
  entity('request entry', requestEntryCodec(T), { request: 'task:t1', recipient: 'cto', message_id: 'm1' }, { field: 'message_id', value: 42 }),
  entity('actionable entry', actionableCodec(T), { request: 'decision:d1', recipient: 'board', message_id: 'm2' }, { field: 'request', value: undefined }),
  entity('requirements request', requirementsCodec(T), { request_id: 'r1', thread_id: 'th1', requester: 'product_manager', feature: 'search', stakeholders: ['cto'], questions: ['q?'], status: 'collecting', answered: [], pending: ['cto'], acceptance_criteria: [], created_at: AT, updated_at: AT, version: 1 }, { field: 'stakeholders', value: [1, 2] }),
  entity('feature', featureCodec(T), { feature_id: 'ft1', name: 'search', business_value: 'v', user_stories: ['As a user I want x'], requirements: { functional: [], non_functional: [] } as never, priority: 'high', rice_score: 300, priority_basis: 'RICE', budget: null, status: 'defined', created_by: 'product_manager', created_at: AT, rice: { reach: 1 }, version: 1 }, { field: 'priority', value: 'urgent' }),
  entity('agent', agentCodec(T), { role: 'cto', status: 'running', lastHeartbeat: AT, version: '1.2.0', capabilities: ['review'] }, { field: 'capabilities', value: 'review' }),
  entity('API key', apiKeyCodec, { keyId: 'k1', tenantId: T, roles: ['ceo'], human: true, label: 'alice', createdAt: AT, hash: 'ab'.repeat(32) }, { field: 'hash', value: undefined }),
  entity('tenant autopilot', tenantAutopilotCodec(T), { enabled: false, daily_token_budget: 1000, updated_by: 'k1 as board', updated_at: AT, version: 2 }, { field: 'enabled', value: 'no' }),
  entity('role autopilot', roleAutopilotCodec(T, 'cto'), { role: 'cto', enabled: true, model_id: 'm', max_steps: 5, triggers: ['task_assigned'], updated_by: 'k', updated_at: AT, version: 1 }, { field: 'max_steps', value: '5' }),
  entity('autopilot activation', activationCodec(T, 'e1', 'cto'), { status: 'running', trigger: 'task_assigned', subject: 't1', claimed_at: 1, ended_at: null, steps: null, tokens: null, tool_calls: null, version: 1 }, { field: 'status', value: undefined }),
  entity('OAuth client', clientCodec, { clientId: 'ccl_1', clientName: 'app', redirectUris: ['https://app.example/cb'], createdAt: AT, expiresAt: 123 }, { field: 'redirectUris', value: 'https://app.example/cb' }),
  entity('OAuth code', codeCodec('h'), { clientId: 'c', redirectUri: 'https://a/cb', codeChallenge: 'x', resources: [], roles: ['cto'], tenantId: T, keyId: 'k', human: false, signer: 'identity', mappings: ['group:eng'], grantId: 'g', used: false, validUntil: 5, expiresAt: 6 }, { field: 'signer', value: 'mallory' }),
  entity('OAuth grant', grantCodec, { grantId: 'g', tenantId: T, keyId: 'k', clientId: 'c', roles: ['cto'], human: false, signer: null, mappings: [], resources: [], generation: 2, version: 2, createdAt: AT, expiresAt: 9, revokedAt: null }, { field: 'generation', value: '2' }),
  entity('deployment', deploymentCodec, { tenant_id: T, deployment_id: 'dp1', release: 'v1', approved: false, status: 'awaiting', reasons: ['r'], gate_id: 'g1', deployment_plan: null, decision_id: 'd1', awaiting: 'board', mode: 'human', environments: ['prod'], decided_by: null, decided_at: null, requested_by: 'cto', created_at: AT, version: 1 }, { field: 'status', value: 'maybe' }),
  entity('change window', changeWindowCodec, { tenant_id: T, window_id: 'w1', approved: false, status: 'escalated', start: AT, end: AT, services: ['checkout'], risk: 'low', duration_hours: 1, max_duration_hours: 8, reasons: ['above authority'], decision_id: 'd1', escalation_id: 'e1', awaiting: 'ceo', amount: 5000, requested_by: 'operations_head', created_at: AT, approved_by_decision: null, ruled_by_decision: null, version: 1 }, { field: 'risk', value: 'extreme' }),
  entity('design', designCodec(T), { design_id: 'ds1', name: 'shop', status: 'proposed', version: 1, created_at: AT, updated_at: AT, components: [{ name: 'api', type: 'service', replicas: 2 }], architecture: { style: 'modular' }, data_flow: 'a → b', rest: { created_by: 'senior_architect', requirements: { rps: 10 } } }, { field: 'components', value: [{ type: 'db' }] }),
  entity('org chart', orgChartCodec(T), { roles: { cto: { authority_usd: 750_000 } }, updated_at: AT, updated_by: 'k', version: 4 }, { field: 'roles', value: ['cto'] }),
  entity('identity mapping', mappingCodec, { id: 'email:a@example.com', kind: 'email', value: 'a@example.com', tenantId: T, roles: ['cto'], human: true, createdAt: AT, label: 'Alice' }, { field: 'kind', value: 'phone' }),
  entity('run history step', historyCodec(T, 'r1', 's1'), { at: AT, event: 'task_completed', stage: 'review', actor: 'cto', detail: 'done' }, { field: 'event', value: 'exploded' }),
  entity('decision waiter', decisionWaiterCodec(T, 'd1'), { run_id: 'r1', wait_id: 'w1' }, { field: 'wait_id', value: undefined }),
  entity('memory counters', memoryCountsCodec(T), { active: 3, vectors: { vectors_m_8: 2 } }, { field: 'active', value: 'three' }),
  entity('unindexed mark', unindexedCodec(T), { key: 'k', version: 2 }, { field: 'key', value: 7 }),
  entity('vote', voteCodec(T, 'd1'), { voter: 'cto', vote: 'approve', confidence: 0.8, rationale: 'fine', cast_at: AT }, { field: 'vote', value: 'maybe' }),
  entity('escalation hop', escalationCodec(T, 'd1'), { escalation_id: 'e1', from: 'cto', to: 'board', reason: 'urgent', at: AT, urgency: 'high' }, { field: 'reason', value: 3 }),
  entity('tenant limits', tenantLimitsCodec(T), { limits: { toolCallsPerMinute: 100 }, updatedAt: AT, updatedBy: 'k1', version: 2 }, { field: 'limits', value: { toolCallsPerMinute: 'many' } }),
  entity('test plan (a document record)', testPlanCodec(T), { plan_id: 'tp1', release: 'v1', scope: ['checkout'], risk_level: 'high', created_at: AT, tenant_id: T, author: 'test_lead', version: 1 } as never, { field: 'plan_id', value: 5 }),
  entity('implementation plan (a document record)', planCodec(T), { plan_id: 'ip1', feature_id: null, spec_id: null, created_at: AT, status: 'planned', created_by: 'senior_developer', version: 1 } as never, { field: 'created_at', value: undefined }),
  entity('audit entry', auditCodec, { pk: `T#${T}#AUDIT#2026-12-06`, sk: 'x', at: AT, keyId: 'k1', role: 'cto', component: null, runId: null, decisionId: null, action: 'tool:vote', objectId: 'd1', outcome: 'ok', errorCode: null, durationMs: 12, correlationId: 'c', modelId: null }, { field: 'durationMs', value: '12' }),
];

describe('typed records: every stored entity has one codec', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: a record survives encode → decode unchanged, with its keys', (_name, c) => {
    const item = c.codec.encode(c.record);
    expect(typeof item.pk).toBe('string');
    expect(typeof item.sk).toBe('string');
    expect(c.codec.decode(item)).toEqual(c.record);
    // The stored shape round-trips too (what is read back is what is written again).
    expect(c.codec.encode(c.codec.decode(item))).toEqual(item);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: a malformed item is refused with an error naming the item and the field, never coerced', (_name, c) => {
    const item: Record<string, unknown> & Item = { ...c.codec.encode(c.record) };
    if (c.malformed.value === undefined) delete item[c.malformed.field];
    else item[c.malformed.field] = c.malformed.value;
    expect(() => c.codec.decode(item)).toThrow(MalformedRecordError);
    expect(() => c.codec.decode(item)).toThrow(new RegExp(`${item.sk}.*"${c.malformed.field}[".]`));
  });

  it('decodes items written before the codecs (absent optional fields take their defaults)', () => {
    const legacy: Item = { pk: `T#${T}#BUDGET#2026-Q4`, sk: 'ops', type: 'budget', department: 'ops', period: '2026-Q4', ceiling_cents: 500, version: 1 };
    expect(budgetCodec.decode(legacy)).toMatchObject({ department: 'ops', ceiling_cents: 500, allocated_cents: 0, allocation_count: 0, ceiling_set_by: null });
    const message: Item = { pk: 'p', sk: 'MSG#m', message_id: 'm', from: 'ceo', to: 'cto', message_type: 'notification', priority: 'low', subject: 's', content: 'c', thread_id: 'm', reply_to: null, correlation_id: 'c', sent_at: AT, read: true };
    expect(inboxCodec(T, 'cto').decode(message)).toMatchObject({ read: true, request: null, resolved: null });
  });

  it('keeps a memory as fromItem/toItem did: an unread vector of another shape is no vector', () => {
    const codec = memoryCodec(T, Date.parse(AT));
    const record = fromItem({ pk: 'p', sk: 'MEM#k', key: 'k', state: 'active', version: 2, content: 'c', tags: ['a'], metadata: {}, author: 'cto', created_by: 'ceo', created_at: AT, updated_at: AT, embedding: 'ready' });
    expect(record).toMatchObject({ key: 'k', createdBy: 'ceo', embedding: 'pending' });
    expect(codec.decode(codec.encode(record))).toEqual(record);
    expect(() => fromItem({ pk: 'p', sk: 'MEM#k', key: 'k', version: 'two' })).toThrow(/"version" should be a number, found string/);
  });
});

describe('updateVersioned / updateRecord', () => {
  const budgets = budgetCodec;
  const key = { pk: `T#${T}#BUDGET#2026-Q4`, sk: 'eng' };
  const fresh = { tenant_id: T, department: 'eng', period: '2026-Q4', ceiling_cents: 0, allocated_cents: 0, overage_cents: 0, allocation_count: 0, ceiling_set_by: null, ceiling_decision_id: null, created_at: AT, updated_at: AT, version: 0 };

  it('creates an absent record (written only while absent) and then updates it, bumping version', async () => {
    const store = new MemoryStore().connect();
    const created = await updateRecord(store, key, budgets, (b) => ({ ...b, ceiling_cents: 100 }), { create: () => fresh });
    expect(created).toMatchObject({ changed: true, record: { ceiling_cents: 100, version: 1 } });
    const again = await updateRecord(store, key, budgets, (b) => ({ ...b, ceiling_cents: 200 }), { create: () => fresh });
    expect(again?.record).toMatchObject({ ceiling_cents: 200, version: 2 });
    expect(await updateRecord(store, key, budgets, () => undefined)).toMatchObject({ changed: false, record: { version: 2 } });
    expect(await updateRecord(store, { ...key, sk: 'none' }, budgets, (b) => b)).toBeUndefined();
  });

  it('orders concurrent writers: every change lands once', async () => {
    const store = new MemoryStore().connect();
    await Promise.all(Array.from({ length: 6 }, () => updateRecord(store, key, budgets, (b) => ({ ...b, allocated_cents: b.allocated_cents + 1 }), { create: () => fresh, attempts: 20 })));
    expect(budgets.decode((await store.get(key)) as Item)).toMatchObject({ allocated_cents: 6, version: 6 });
  });

  it('gives up after a bounded number of lost races with a ConflictError, waiting the backoff between rounds', async () => {
    const base = new MemoryStore().connect();
    await base.put(budgets.encode({ ...fresh, version: 1 }));
    let puts = 0;
    const losing: Store = Object.assign(Object.create(base) as Store, {
      put: async () => {
        puts++;
        throw new PreconditionFailedError('lost');
      },
    });
    const waits: number[] = [];
    await expect(
      updateRecord(losing, key, budgets, (b) => ({ ...b, ceiling_cents: 1 }), { attempts: 3, what: 'the eng budget', backoff: async (n) => void waits.push(n) }),
    ).rejects.toThrow(ConflictError);
    expect(puts).toBe(3);
    expect(waits).toEqual([1, 2]);
  });

  it('with a guard, conditions the write on it and leaves version alone (items that carry none)', async () => {
    const store = new MemoryStore().connect();
    const inbox = { pk: 'T#acme#INBOX#cto', sk: 'MSG#m1' };
    await store.put({ ...inbox, message_id: 'm1', read: false });
    const guard = (current: Item) => ({ kind: 'equals' as const, attributes: { read: current.read === true } });
    expect(await updateVersioned(store, inbox, (m) => (m.read ? undefined : { ...m, read: true }), { guard })).toMatchObject({ changed: true });
    expect(await store.get(inbox)).toEqual({ ...inbox, message_id: 'm1', read: true });
    expect(await updateVersioned(store, inbox, (m) => (m.read ? undefined : { ...m, read: true }), { guard })).toMatchObject({ changed: false });
  });
});
