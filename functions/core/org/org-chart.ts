import { buildEvent } from '../../contracts/events.js';
import { AGENT_ROLES, BOARD, isEndpointId, isRoleId, type EndpointId, type RoleId } from '../../contracts/roles.js';
import { recordAudit } from '../audit/audit.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field as read, updateRecord, type Codec } from '../versioned.js';
import { DEFAULT_CHART, type OrgChart, type RoleDefinition } from './chart.js';

/**
 * The org chart as the tenant's own data: one item per tenant holding what
 * the tenant changed from the default chart (authority limits, reporting
 * lines), with a revision. Every authority check reads that one item
 * (strongly consistent), so a change takes effect on the next check in
 * every process; the built chart is cached per tenant and revision.
 */

/** What a tenant changed for one role. */
interface RoleOverride {
  readonly authority_usd?: number;
  readonly reports_to?: EndpointId;
}

export interface TenantChart {
  readonly chart: OrgChart;
  /** Incremented by every change; 0 for a tenant on the default chart. */
  readonly revision: number;
}

/** Who changes a chart: a principal acting as the board (human only), or an operator through `npm run org`. */
export type ChartEditor =
  | { readonly kind: 'principal'; readonly keyId: string; readonly human: boolean; readonly actingAs: EndpointId }
  | { readonly kind: 'operator'; readonly name: string };

export interface ChartChange {
  readonly role: RoleId;
  readonly field: 'authority_usd' | 'reports_to';
  readonly previous: number | string;
  readonly value: number | string;
  readonly revision: number;
}

/** The largest authority limit a chart accepts (USD). */
export const MAX_AUTHORITY_USD = 1_000_000_000_000;
const ATTEMPTS = 8;

const cache = new Map<string, TenantChart>();

function build(overrides: Readonly<Record<string, RoleOverride>>): OrgChart {
  const chart = { ...DEFAULT_CHART } as Record<RoleId, RoleDefinition>;
  for (const role of AGENT_ROLES) {
    const o = overrides[role];
    if (!o) continue;
    chart[role] = {
      ...chart[role],
      ...(typeof o.authority_usd === 'number' ? { authorityUsd: o.authority_usd } : {}),
      ...(o.reports_to !== undefined && (o.reports_to === BOARD || isRoleId(o.reports_to)) ? { reportsTo: o.reports_to } : {}),
    };
  }
  return chart;
}

/** A tenant's chart as stored: each role's overrides of the default chart; `version` is the chart's revision. */
export interface OrgChartRecord {
  readonly roles: Readonly<Record<string, RoleOverride>>;
  readonly updated_at: string | null;
  readonly updated_by: string | null;
  readonly version: number;
}

export function orgChartCodec(tenantId: string): Codec<OrgChartRecord> {
  return {
    decode: (i) => ({
      roles: read.obj(i, 'roles') as Record<string, RoleOverride>,
      updated_at: read.strOrNull(i, 'updated_at'),
      updated_by: read.strOrNull(i, 'updated_by'),
      version: read.num(i, 'version'),
    }),
    encode: (c) => ({ ...keys.orgChart(tenantId), type: 'org_chart', ...c }),
  };
}

function overridesOf(chart: OrgChartRecord | undefined): Record<string, RoleOverride> {
  return { ...(chart?.roles ?? {}) };
}

/** The tenant's chart and its revision (one read; the built chart is reused while the revision holds). */
export async function loadTenantChart(deps: Deps, tenantId: string): Promise<TenantChart> {
  const item = await deps.store.get(keys.orgChart(tenantId));
  const stored = item && orgChartCodec(tenantId).decode(item);
  const revision = stored?.version ?? 0;
  const cached = cache.get(tenantId);
  if (cached && cached.revision === revision) return cached;
  const loaded = { chart: build(overridesOf(stored)), revision };
  if (cache.size > 10_000) cache.clear();
  cache.set(tenantId, loaded);
  return loaded;
}

function assertEditor(by: ChartEditor): string {
  if (by.kind === 'operator') return `operator:${by.name}`;
  if (!by.human || by.actingAs !== BOARD) throw new ForbiddenError('only a human principal acting as the board may change the org chart');
  return by.keyId;
}

function validRole(role: string): RoleId {
  if (!isRoleId(role)) throw new ValidationError(`role must be one of ${AGENT_ROLES.join(', ')} (the board's place is fixed), got "${role}"`);
  return role;
}

/** The chain from `start` upwards; the role it returns to when there is a cycle, else undefined. */
function cycleThrough(chart: OrgChart, role: RoleId): RoleId[] | undefined {
  const seen: RoleId[] = [role];
  let current: EndpointId = chart[role].reportsTo;
  while (current !== BOARD) {
    if (seen.includes(current)) return [...seen, current];
    seen.push(current);
    current = chart[current].reportsTo;
  }
  return undefined;
}

/**
 * Applies one change to the tenant's chart: validated against the whole
 * chart, written with a revision condition (concurrent editors are ordered,
 * none is lost), then audited and published as Org.ChartChanged.v1.
 */
async function change(
  deps: Deps,
  ctx: RequestContext,
  tenantId: string,
  by: ChartEditor,
  role: RoleId,
  field: ChartChange['field'],
  apply: (current: OrgChart) => { previous: number | string; value: number | string; override: RoleOverride },
): Promise<ChartChange> {
  const changedBy = assertEditor(by);
  const at = new Date(deps.clock.now()).toISOString();
  const applied: { previous?: number | string; value?: number | string; next?: OrgChart } = {};
  // Written only over the revision read (concurrent editors are ordered, none is lost): a lost race re-reads and re-validates.
  const written = await updateRecord(
    deps.store,
    keys.orgChart(tenantId),
    orgChartCodec(tenantId),
    (stored) => {
      const overrides = overridesOf(stored);
      const { previous, value, override } = apply(build(overrides));
      overrides[role] = { ...overrides[role], ...override };
      const next = build(overrides);
      const cycle = cycleThrough(next, role);
      if (cycle) throw new ValidationError(`${role} cannot report to ${value}: that makes a reporting cycle (${cycle.join(' → ')})`);
      Object.assign(applied, { previous, value, next });
      return { roles: overrides, updated_at: at, updated_by: changedBy, version: stored.version };
    },
    { attempts: ATTEMPTS, what: 'the org chart', create: () => ({ roles: {}, updated_at: null, updated_by: null, version: 0 }) },
  );
  if (!written || applied.next === undefined || applied.previous === undefined || applied.value === undefined) throw new ConflictError('the org chart is being changed concurrently; try again');
  const { next, previous, value } = applied;
  const revision = written.record.version - 1;
  {
    cache.set(tenantId, { chart: next, revision: revision + 1 });
    const result: ChartChange = { role, field, previous, value, revision: revision + 1 };
    await recordAudit(deps, {
      tenantId,
      ...(by.kind === 'principal' ? { keyId: by.keyId, role: by.actingAs } : { component: changedBy, role }),
      action: `org:${field}_changed`,
      objectId: role,
      outcome: 'ok',
      correlationId: ctx.correlationId,
    });
    await publishChange(deps, [
      buildEvent('Org.ChartChanged.v1', {
        tenant_id: tenantId,
        correlation_id: ctx.correlationId,
        occurred_at: at,
        role,
        field,
        previous,
        value,
        revision: revision + 1,
        changed_by: changedBy,
      }),
    ]);
    return result;
  }
}

/**
 * The event of a change already recorded and audited. An operator's command
 * run outside the server has no bus: the change stands and the missing
 * event is logged, never turned into a failure of a change that happened.
 */
async function publishChange(deps: Deps, events: Parameters<Deps['bus']['publish']>[0]): Promise<void> {
  try {
    await deps.bus.publish(events);
  } catch (error) {
    deps.log.warn('org chart changed; its event was not published', { error: String(error) });
  }
}

/** Sets a role's authority limit (USD, cents at most): commitments up to it are the role's own, above it escalate. */
export async function setAuthority(deps: Deps, ctx: RequestContext, input: { tenantId: string; role: string; limit: number; by: ChartEditor }): Promise<ChartChange> {
  const role = validRole(input.role);
  const { limit } = input;
  if (!Number.isFinite(limit) || limit < 0 || limit > MAX_AUTHORITY_USD) throw new ValidationError(`limit must be 0 to ${MAX_AUTHORITY_USD} USD`);
  if (Math.round(limit * 100) / 100 !== limit) throw new ValidationError('limit must be in whole cents');
  return change(deps, ctx, input.tenantId, input.by, role, 'authority_usd', (chart) => ({
    previous: chart[role].authorityUsd,
    value: limit,
    override: { authority_usd: limit },
  }));
}

/** Sets whom a role reports to. The CEO reports to the board; every other role to a role, with no cycle. */
export async function setReportsTo(deps: Deps, ctx: RequestContext, input: { tenantId: string; role: string; reportsTo: string; by: ChartEditor }): Promise<ChartChange> {
  const role = validRole(input.role);
  const to = input.reportsTo;
  if (!isEndpointId(to)) throw new ValidationError(`reports_to must be a role or board, got "${to}"`);
  if (role === 'ceo' && to !== BOARD) throw new ValidationError('the CEO reports to the board');
  if (role !== 'ceo' && to === BOARD) throw new ValidationError('only the CEO reports to the board');
  if (to === role) throw new ValidationError(`${role} cannot report to itself`);
  return change(deps, ctx, input.tenantId, input.by, role, 'reports_to', (chart) => ({
    previous: chart[role].reportsTo,
    value: to,
    override: { reports_to: to },
  }));
}
