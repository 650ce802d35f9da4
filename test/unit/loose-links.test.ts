import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import type { Deps } from '../../functions/core/context.js';
import { designSystem } from '../../functions/core/design/system-design.js';
import { REVIEW, reviewArchitecture } from '../../functions/core/engineering/architecture-review.js';
import { NotFoundError } from '../../functions/core/errors.js';
import { keys } from '../../functions/core/keys.js';
import { approveChangeWindow } from '../../functions/core/operations/change-windows.js';
import { declareIncident, resolveIncident } from '../../functions/core/operations/incidents.js';
import { testDeps } from '../helpers/deps.js';

/**
 * Issue #17 "the links the tools promise": review_architecture reviews the
 * stored design when given its id, and change windows are blocked only by
 * the open incidents on the services they touch (a severity-1 anywhere
 * still blocks everything).
 */
const ctx = { correlationId: 'test' };
const now = Date.parse('2026-11-21T10:00:00Z');
const H = 3_600_000;

describe('review_architecture {design_id}: the stored design is what is reviewed', () => {
  let deps: Deps;
  beforeAll(() => {
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => now } });
  });
  const reviews = async () => (await deps.store.query({ index: 'gsi1', pk: keys.recordIndex('acme', REVIEW), limit: 100 })).items.length;
  const design = (requirements: Record<string, unknown>) =>
    designSystem(deps, { tenantId: 'acme', author: 'senior_architect', name: 'Orders', requirements: { availability: 99.95, latency_ms: 120, throughput_rps: 1600, ...requirements }, constraints: { cloud: 'aws' } });

  it('counts the stored identity provider as authentication, and the stored targets as figures, with nothing given inline', async () => {
    const d = await design({ auth: true });
    expect(d.components.map((c) => c.name)).toContain('identity_provider');
    const review = await reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: d.design_id });
    expect(review.checks.find((c) => c.name === 'security')).toEqual({ name: 'security', passed: true, detail: 'authentication/authorization or data protection present' });
    expect(review.checks.find((c) => c.name === 'observability')?.passed).toBe(true);
    expect(review.checks.find((c) => c.name === 'scalability_quantified')?.passed).toBe(true);
    expect(review.modifications.join('\n')).not.toMatch(/security layer|authentication/);
    const stored = await deps.store.get(keys.record('acme', REVIEW, review.review_id));
    expect(stored?.components).toEqual(expect.arrayContaining([expect.stringMatching(/^identity_provider \(identity/)]));
    expect(stored?.scalability).toBe('stored design targets 1600 req/s, latency 120 ms, availability 99.95%');
    expect(await deps.store.get(keys.record('acme', 'DESIGN', d.design_id))).toMatchObject({ status: review.approved ? 'approved' : 'rejected', review_id: review.review_id });
  });

  it('reports a stored design with no security component as missing one (the check reads the design, so it can fail)', async () => {
    const d = await design({});
    const review = await reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: d.design_id });
    expect(review.checks.find((c) => c.name === 'security')).toMatchObject({ passed: false, detail: 'no authentication, authorization, WAF, secrets or encryption component' });
    expect(review.approved).toBe(false);
    // What the CTO adds inline is reviewed with the stored components.
    const again = await design({});
    const withWaf = await reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: again.design_id, components: ['WAF'] });
    expect(withWaf.checks.find((c) => c.name === 'security')?.passed).toBe(true);
  });

  it('refuses an unknown design_id with a clear not-found error, recording nothing', async () => {
    const before = await reviews();
    const refused = reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: 'des-404' });
    await expect(refused).rejects.toBeInstanceOf(NotFoundError);
    await expect(refused).rejects.toThrow('no design des-404');
    // Another tenant's design is unknown here too.
    const foreign = await designSystem(deps, { tenantId: 'globex', author: 'senior_architect', name: 'Theirs', requirements: { auth: true }, constraints: {} });
    await expect(reviewArchitecture(deps, { tenantId: 'acme', reviewer: 'cto', designId: foreign.design_id })).rejects.toBeInstanceOf(NotFoundError);
    expect(await reviews()).toBe(before);
    expect((await deps.store.get(keys.record('globex', 'DESIGN', foreign.design_id)))?.status).toBe('proposed');
  });
});

describe('change windows: blocked by open incidents on the services they touch', () => {
  let deps: Deps;
  beforeAll(() => {
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => now } });
  });
  const window = (services: string[]) =>
    approveChangeWindow(deps, ctx, { tenantId: 'acme', requestedBy: 'operations_head', start: new Date(now + H).toISOString(), end: new Date(now + 2 * H).toISOString(), services, risk: 'low' });
  const declare = async (severity: number, services: string[]) =>
    (await declareIncident(deps, ctx, { tenantId: 'acme', declaredBy: 'operations_head', title: `sev-${severity} on ${services.join('+')}`, severity, description: 'x', affectedServices: services })).incident;
  const resolve = (incidentId: string) => resolveIncident(deps, ctx, { tenantId: 'acme', resolvedBy: 'operations_head', incidentId, resolution: 'fixed' });

  it('a severity-2 incident on search does not block a checkout window, but blocks one that touches search', async () => {
    const search = await declare(2, ['search']);
    expect(await window(['checkout'])).toMatchObject({ approved: true, status: 'approved' });
    const touching = await window(['checkout', 'Search']);
    expect(touching).toMatchObject({ approved: false, status: 'rejected' });
    expect(touching.reasons).toEqual([expect.stringContaining(`open severity-2 incident ${search.incident_id}`)]);
    await resolve(search.incident_id);
  });

  it('a severity-2 incident on checkout blocks a checkout window; a severity-3 one does not; resolved, it blocks nothing', async () => {
    const minor = await declare(3, ['checkout']);
    expect(await window(['checkout'])).toMatchObject({ approved: true });
    const checkout = await declare(2, ['checkout', 'payments']);
    const blocked = await window(['checkout']);
    expect(blocked).toMatchObject({ approved: false, status: 'rejected' });
    expect(blocked.reasons).toEqual([expect.stringContaining(checkout.incident_id)]);
    await resolve(checkout.incident_id);
    await resolve(minor.incident_id);
    expect(await window(['checkout'])).toMatchObject({ approved: true });
  });

  it('a severity-1 incident anywhere blocks every window', async () => {
    const sev1 = await declare(1, ['search']);
    for (const services of [['checkout'], ['billing', 'ledger'], ['search']]) {
      const w = await window(services);
      expect(w).toMatchObject({ approved: false, status: 'rejected' });
      expect(w.reasons).toEqual([expect.stringContaining(`open severity-1 incident ${sev1.incident_id}`)]);
    }
    await resolve(sev1.incident_id);
    expect(await window(['checkout'])).toMatchObject({ approved: true });
  });
});
