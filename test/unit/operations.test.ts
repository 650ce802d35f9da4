import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../../functions/core/errors.js';
import { keys } from '../../functions/core/keys.js';
import { approveChangeWindow, assessChangeWindow } from '../../functions/core/operations/change-windows.js';
import { declareIncident, incidentAudience, listIncidents, openIncidents, resolveIncident, type Incident } from '../../functions/core/operations/incidents.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';
import { testDeps } from '../helpers/deps.js';

const H = 3_600_000;
const T0 = Date.parse('2026-06-01T09:00:00.000Z');

function incident(severity: 1 | 2 | 3 | 4, declaredAt: number): Incident {
  return {
    incident_id: `i${severity}`,
    title: 'x',
    severity,
    status: 'open',
    description: '',
    affected_services: ['api'],
    declared_by: 'operations_head',
    declared_at: new Date(declaredAt).toISOString(),
    resolved_at: null,
    resolved_by: null,
    resolution: null,
    duration_minutes: null,
  };
}

describe('assessChangeWindow', () => {
  it('allows exactly the maximum duration per risk and refuses a minute more', () => {
    expect(assessChangeWindow({ start: T0, end: T0 + 2 * H, risk: 'high' }, []).blockers).toEqual([]);
    expect(assessChangeWindow({ start: T0, end: T0 + 2 * H + 60_000, risk: 'high' }, []).blockers[0]).toContain('at most 2 h');
    expect(assessChangeWindow({ start: T0, end: T0 + 4 * H, risk: 'medium' }, []).max_duration_hours).toBe(4);
    expect(assessChangeWindow({ start: T0, end: T0 + 8 * H, risk: 'low' }, []).blockers).toEqual([]);
  });

  it('is blocked by open severity-1/2 incidents declared before the window ends, not by severity 3', () => {
    const window = { start: T0, end: T0 + H, risk: 'low' as const };
    expect(assessChangeWindow(window, [incident(1, T0 - 5 * H)]).blockers).toHaveLength(1);
    expect(assessChangeWindow(window, [incident(2, T0 + 30 * 60_000)]).blockers).toHaveLength(1);
    expect(assessChangeWindow(window, [incident(2, T0 + H)]).blockers).toEqual([]);
    expect(assessChangeWindow(window, [incident(3, T0 - H)]).blockers).toEqual([]);
  });
});

describe('incidentAudience', () => {
  it('escalates severity 1 to leadership at once and tells the CTO of the rest', () => {
    expect(incidentAudience(1)).toEqual({ to: 'leadership', type: 'escalation', priority: 'urgent' });
    expect(incidentAudience(2)).toEqual({ to: 'cto', type: 'notification', priority: 'high' });
    expect(incidentAudience(4).priority).toBe('low');
  });
});

describe('operations use cases (against the in-memory store)', () => {
  let dynamo: MemoryStore;
  let deps: Deps;
  let now = T0;
  const ctx = { correlationId: 'test' };
  const published: OutboundEvent[] = [];

  beforeAll(async () => {
    dynamo = new MemoryStore();
    const clock = { now: () => now };
    deps = testDeps({ store: dynamo.connect(), clock, bus: { publish: async (events) => void published.push(...events) }, staleAfterMs: 60 * 60_000 });
  });
  afterAll(async () => {
  });

  const declare = (severity: number, title = 'Outage') =>
    declareIncident(deps, ctx, { tenantId: 'acme', declaredBy: 'operations_head', title, severity, description: 'It broke', affectedServices: ['api', 'db'] });

  it('stores an incident in the shape others read and notifies leadership for severity 1', async () => {
    published.length = 0;
    const { incident: i, notified } = await declare(1);
    expect(notified).toEqual(['ceo', 'cto', 'chro']);
    expect(published[0]?.detail).toMatchObject({ to: 'leadership', type: 'escalation', priority: 'urgent', subject: '[SEV1] Outage' });
    expect(await deps.store.get(keys.record('acme', 'INCIDENT', i.incident_id))).toMatchObject({
      incident_id: i.incident_id,
      title: 'Outage',
      severity: 1,
      status: 'open',
      declared_at: new Date(T0).toISOString(),
      resolved_at: null,
      gsi1pk: keys.recordIndex('acme', 'INCIDENT'),
      gsi1sk: `${new Date(T0).toISOString()}#${i.incident_id}`,
    });
  });

  it('resolves once: a second resolution is a conflict; unknown or foreign ids are not found', async () => {
    const { incident: i } = await declare(3, 'Typo');
    now += 90 * 60_000;
    const { incident: resolved, notified } = await resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId: i.incident_id, resolution: 'fixed' });
    expect(resolved).toMatchObject({ status: 'resolved', duration_minutes: 90, resolution: 'fixed' });
    expect(notified).toEqual(['cto']);
    await expect(resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId: i.incident_id, resolution: 'again' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(resolveIncident(deps, ctx, { tenantId: 'globex', resolvedBy: 'operations_head', incidentId: i.incident_id, resolution: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const stored = await deps.store.get(keys.record('acme', 'INCIDENT', i.incident_id));
    expect(stored).toMatchObject({ resolution: 'fixed', version: 2 });
  });

  it('resolves concurrently exactly once', async () => {
    const { incident: i } = await declare(2, 'Race');
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId: i.incident_id, resolution: `r${n}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
  });

  it('lists open incidents by severity and refuses bad declarations', async () => {
    const open = await openIncidents(deps, 'acme', 2);
    expect(open.map((i) => [i.severity, i.title])).toEqual([[1, 'Outage']]);
    const listed = await listIncidents(deps, { tenantId: 'acme', status: 'resolved', limit: 10 });
    expect(listed.incidents.map((i) => i.title)).toEqual(['Race', 'Typo']);
    await expect(declare(5)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      declareIncident(deps, ctx, { tenantId: 'acme', declaredBy: 'operations_head', title: 't', severity: 2, description: 'd', affectedServices: ['api', 'API'] }),
    ).rejects.toThrow(/twice/);
    expect((await listIncidents(deps, { tenantId: 'globex', limit: 10 })).incidents).toEqual([]);
  });

  it('rejects change windows during an open severity-1 incident and records every outcome', async () => {
    const window = (hours: number, amount?: number) =>
      approveChangeWindow(deps, ctx, {
        tenantId: 'acme',
        requestedBy: 'operations_head',
        start: new Date(now + H).toISOString(),
        end: new Date(now + H + hours * H).toISOString(),
        services: ['api'],
        risk: 'medium',
        ...(amount !== undefined ? { amount } : {}),
      });
    const blocked = await window(1);
    expect(blocked).toMatchObject({ approved: false, status: 'rejected' });
    expect(blocked.reasons[0]).toContain('severity-1 incident');
    expect(await deps.store.get(keys.record('acme', 'CHANGEWINDOW', blocked.window_id))).toMatchObject({ status: 'rejected', gsi1pk: keys.recordIndex('acme', 'CHANGEWINDOW') });

    const [sev1] = await openIncidents(deps, 'acme', 1);
    await resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId: (sev1 as Incident).incident_id, resolution: 'ok' });
    expect(await window(1)).toMatchObject({ approved: true, status: 'approved', decision_id: null });
    expect((await window(4.5)).reasons[0]).toContain('at most 4 h');
    expect(await window(2, 250_000)).toMatchObject({ approved: true, status: 'approved', escalation_id: null });
    const above = await window(2, 250_000.01);
    expect(above).toMatchObject({ approved: false, status: 'escalated', awaiting: 'ceo' });
    expect(above.escalation_id).toMatch(/^[0-9a-z]{26}$/);
  });

  it('refuses windows that are inverted or already over', async () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const base = { tenantId: 'acme', requestedBy: 'operations_head' as const, services: ['api'], risk: 'low' as const };
    await expect(approveChangeWindow(deps, ctx, { ...base, start: at(now + 2 * H), end: at(now + H) })).rejects.toThrow(/after start/);
    await expect(approveChangeWindow(deps, ctx, { ...base, start: at(now - 2 * H), end: at(now - H) })).rejects.toThrow(/end in the future/);
  });
});
