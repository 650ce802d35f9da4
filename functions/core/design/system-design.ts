import type { RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { rememberRecord } from '../memory/remember.js';
import { ValidationError } from '../errors.js';
import { designCodec } from './design-record.js';
import { getFeature } from '../product/features.js';

/** The record kind of a design (`keys.record(tenant, DESIGN_KIND, id)`); the CTO's architecture review reads and updates it. */
export const DESIGN_KIND = 'DESIGN';

export type ComponentType =
  | 'edge'
  | 'routing'
  | 'gateway'
  | 'load_balancer'
  | 'identity'
  | 'service'
  | 'worker'
  | 'queue'
  | 'cache'
  | 'datastore'
  | 'object_storage'
  | 'search'
  | 'realtime'
  | 'stream'
  | 'analytics'
  | 'security'
  | 'adapter'
  | 'observability';

/** One component of a design, with the rule that put it there. */
export interface Component {
  readonly name: string;
  readonly type: ComponentType;
  readonly responsibility: string;
  /** Instances (or, serverless, the minimum concurrency to provision) per region. */
  readonly replicas: number;
  /** The documented rule that added it. */
  readonly rule: string;
}

export type Style = 'serverless' | 'modular_monolith' | 'microservices';
export type Redundancy = 'single_az' | 'multi_az' | 'multi_region';

export interface Architecture {
  readonly style: Style;
  readonly redundancy: Redundancy;
  readonly regions: number;
  readonly platform: string | null;
  readonly quality_attributes: { availability_pct: number | null; latency_ms: number | null; throughput_rps: number | null };
  readonly rules_applied: string[];
  readonly assumptions: string[];
  /** Keys of requirements/constraints no rule reads (kept in the record, listed so nothing is silently lost). */
  readonly unrecognized_keys: string[];
}

export interface DerivedDesign {
  readonly architecture: Architecture;
  readonly components: Component[];
  readonly data_flow: string;
}

type Bag = Readonly<Record<string, unknown>>;

/** Keys the rules read, by normalized name (lower case, spaces and dashes as underscores). */
const REQUIREMENT_KEYS = {
  availability: ['availability', 'availability_pct', 'availability_target', 'uptime', 'sla'],
  latency: ['latency_ms', 'latency_p99_ms', 'p99_latency_ms', 'p95_latency_ms', 'latency', 'latency_target_ms'],
  throughput: ['throughput_rps', 'rps', 'requests_per_second', 'peak_rps', 'throughput'],
  dataGb: ['data_size_gb', 'storage_gb', 'data_gb'],
  stateless: ['stateless'],
  async: ['async', 'background_jobs', 'batch', 'async_processing'],
  realtime: ['realtime', 'real_time', 'websockets', 'push'],
  search: ['search', 'full_text_search'],
  auth: ['auth', 'authentication', 'login', 'user_accounts'],
  pii: ['pii', 'personal_data', 'sensitive_data', 'compliance'],
  analytics: ['analytics', 'reporting', 'events'],
  integrations: ['integrations', 'external_systems'],
} as const;
const CONSTRAINT_KEYS = {
  teamSize: ['team_size', 'engineers', 'developers'],
  budget: ['budget_monthly_usd', 'monthly_budget_usd', 'budget_usd_per_month'],
  serverless: ['serverless'],
  regions: ['regions', 'region_count'],
  platform: ['cloud', 'platform', 'provider'],
  compliance: ['compliance', 'data_residency', 'regulations'],
} as const;

const normalize = (key: string): string => key.trim().toLowerCase().replace(/[\s-]+/g, '_');

function pick(bag: Map<string, unknown>, names: readonly string[], used: Set<string>): unknown {
  for (const name of names) {
    if (bag.has(name)) {
      used.add(name);
      return bag.get(name);
    }
  }
  return undefined;
}

/** A number from a number or a string like "99.9%", "200ms", "5k". */
function numeric(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*(k)?/i.exec(value);
    if (m) return Number(m[1]) * (m[2] ? 1000 : 1);
  }
  throw new ValidationError(`${field} must be a number (got ${JSON.stringify(value)})`);
}

/** Truthy for true, a non-empty string/array/object, or a positive number. */
function wanted(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'number') return value > 0;
  if (typeof value === 'string') return value.trim().length > 0 && !/^(no|none|false)$/i.test(value.trim());
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40) || 'system';

/**
 * Derives an architecture from requirements and constraints with fixed rules:
 *
 * - Redundancy: availability ≥ 99.99 % (or constraints.regions ≥ 2) →
 *   multi_region (≥ 2 regions, global routing, cross-region replication);
 *   ≥ 99.9 % → multi_az (≥ 2 replicas); below → single_az. No target →
 *   assumed 99.5 % (listed in assumptions). A fraction (0.999) reads as a percentage.
 * - Latency: a target ≤ 200 ms → a read-through cache; ≤ 50 ms → also an edge CDN.
 * - Throughput: replicas = max(redundancy minimum, ⌈rps ÷ 500⌉) (one instance
 *   per 500 rps); ≥ 10 000 rps → a partitioned datastore.
 * - Style: constraints.serverless true or a monthly budget ≤ 2 000 USD →
 *   serverless; team_size > 8 → microservices; else modular_monolith.
 *   A load balancer is added for non-serverless multi-AZ/region designs.
 * - Features: async → queue + worker; realtime → realtime gateway; search →
 *   search index; auth → identity provider; pii/compliance → key management
 *   and an audit log; analytics → event stream + analytics store;
 *   integrations (list) → one adapter each; data_size_gb ≥ 1000 → object storage.
 * - Always: api gateway, the core service (`<name>_service`), a primary datastore (unless
 *   stateless), observability.
 */
export function deriveDesign(name: string, requirements: Bag, constraints: Bag): DerivedDesign {
  const req = new Map(Object.entries(requirements).map(([k, v]) => [normalize(k), v]));
  const con = new Map(Object.entries(constraints).map(([k, v]) => [normalize(k), v]));
  const usedReq = new Set<string>();
  const usedCon = new Set<string>();
  const r = <K extends keyof typeof REQUIREMENT_KEYS>(k: K) => pick(req, REQUIREMENT_KEYS[k], usedReq);
  const c = <K extends keyof typeof CONSTRAINT_KEYS>(k: K) => pick(con, CONSTRAINT_KEYS[k], usedCon);

  const rules: string[] = [];
  const assumptions: string[] = [];
  const components: Component[] = [];
  const add = (component: Component) => components.push(component);

  let availability = numeric(r('availability'), 'requirements.availability');
  if (availability !== null && availability > 0 && availability <= 1) availability *= 100;
  if (availability !== null && !(availability > 0 && availability <= 100)) {
    throw new ValidationError('requirements.availability must be a percentage in (0, 100], e.g. 99.9');
  }
  const latency = numeric(r('latency'), 'requirements.latency_ms');
  if (latency !== null && !(latency > 0)) throw new ValidationError('requirements.latency_ms must be > 0');
  const rps = numeric(r('throughput'), 'requirements.throughput_rps');
  if (rps !== null && !(rps >= 0)) throw new ValidationError('requirements.throughput_rps must be ≥ 0');
  const dataGb = numeric(r('dataGb'), 'requirements.data_size_gb');
  const teamSize = numeric(c('teamSize'), 'constraints.team_size');
  const budget = numeric(c('budget'), 'constraints.budget_monthly_usd');
  const regionsAsked = numeric(c('regions'), 'constraints.regions');
  const platformValue = c('platform');
  const platform = typeof platformValue === 'string' && platformValue.trim() ? platformValue.trim() : null;

  const target = availability ?? 99.5;
  if (availability === null) assumptions.push('no availability target given: assumed 99.5 %');
  let redundancy: Redundancy;
  let minReplicas: number;
  let regions = 1;
  if (target >= 99.99 || (regionsAsked ?? 1) >= 2) {
    redundancy = 'multi_region';
    regions = Math.max(2, Math.floor(regionsAsked ?? 2));
    minReplicas = 2;
    rules.push(`availability ${target} % ≥ 99.99 % or regions ≥ 2 → multi_region across ${regions} regions`);
  } else if (target >= 99.9) {
    redundancy = 'multi_az';
    minReplicas = 2;
    rules.push(`availability ${target} % ≥ 99.9 % → multi_az with ≥ 2 replicas`);
  } else {
    redundancy = 'single_az';
    minReplicas = 1;
    rules.push(`availability ${target} % < 99.9 % → single_az with backups`);
  }
  const replicas = Math.max(minReplicas, rps ? Math.ceil(rps / 500) : 0);
  if (rps !== null && Math.ceil(rps / 500) > minReplicas) rules.push(`throughput ${rps} rps → ${replicas} replicas (one per 500 rps)`);

  let style: Style;
  if (c('serverless') === true || (budget !== null && budget <= 2000)) {
    style = 'serverless';
    rules.push(budget !== null && budget <= 2000 ? `monthly budget ${budget} USD ≤ 2000 → serverless (pay per use)` : 'serverless required → serverless');
  } else if (teamSize !== null && teamSize > 8) {
    style = 'microservices';
    rules.push(`team_size ${teamSize} > 8 → microservices (independent deployment per team)`);
  } else {
    style = 'modular_monolith';
    rules.push(teamSize === null ? 'no team_size or budget constraint → modular_monolith' : `team_size ${teamSize} ≤ 8 → modular_monolith`);
  }

  const core = /(^|_)service$/.test(slug(name)) ? slug(name) : `${slug(name)}_service`;
  const stateless = r('stateless') === true;
  const cache = latency !== null && latency <= 200;
  const cdn = latency !== null && latency <= 50;
  if (cdn) {
    add({ name: 'edge_cdn', type: 'edge', responsibility: 'serve static and cacheable responses at the edge', replicas: 1, rule: `latency ${latency} ms ≤ 50 → edge CDN` });
    rules.push(`latency ${latency} ms ≤ 50 → edge CDN`);
  }
  if (redundancy === 'multi_region') {
    add({ name: 'global_router', type: 'routing', responsibility: 'route clients to the nearest healthy region; fail over', replicas: 1, rule: 'multi_region → global routing with health checks' });
  }
  add({ name: 'api_gateway', type: 'gateway', responsibility: 'authenticate, throttle and route requests', replicas: 1, rule: 'always: single entry point' });
  if (style !== 'serverless' && redundancy !== 'single_az') {
    add({ name: 'load_balancer', type: 'load_balancer', responsibility: `spread traffic over ${replicas} replicas per region`, replicas: 1, rule: 'non-serverless and multi-AZ/region → load balancer' });
  }
  const auth = wanted(r('auth'));
  if (auth) add({ name: 'identity_provider', type: 'identity', responsibility: 'sign-in, tokens and sessions', replicas: 1, rule: 'auth required → identity provider' });
  add({
    name: core,
    type: 'service',
    responsibility: `the ${name} business logic (${style.replace('_', ' ')})`,
    replicas,
    rule: 'always: the core service',
  });
  if (cache) {
    add({ name: 'cache', type: 'cache', responsibility: 'read-through cache in front of the datastore', replicas: Math.max(1, minReplicas), rule: `latency ${latency} ms ≤ 200 → cache` });
    rules.push(`latency ${latency} ms ≤ 200 → read-through cache`);
  }
  const partitioned = rps !== null && rps >= 10_000;
  if (!stateless) {
    add({
      name: 'primary_datastore',
      type: 'datastore',
      responsibility:
        `system of record${partitioned ? ', partitioned by key' : ''}` +
        (redundancy === 'multi_region' ? ', replicated across regions' : redundancy === 'multi_az' ? ', replicated across zones' : ', with point-in-time backups'),
      replicas: Math.max(1, minReplicas),
      rule: partitioned ? `throughput ${rps} rps ≥ 10000 → partitioned datastore` : 'always (unless stateless): the system of record',
    });
    if (partitioned) rules.push(`throughput ${rps} rps ≥ 10000 → partitioned datastore`);
  } else {
    rules.push('stateless → no datastore');
  }
  if (dataGb !== null && dataGb >= 1000) {
    add({ name: 'object_storage', type: 'object_storage', responsibility: 'bulk and archival data', replicas: 1, rule: `data ${dataGb} GB ≥ 1000 → object storage` });
    rules.push(`data ${dataGb} GB ≥ 1000 → object storage`);
  }
  const asyncWork = wanted(r('async'));
  if (asyncWork) {
    add({ name: 'job_queue', type: 'queue', responsibility: 'buffer background work; retries and a dead-letter queue', replicas: 1, rule: 'async work → queue' });
    add({ name: 'worker', type: 'worker', responsibility: 'process queued jobs', replicas: Math.max(1, minReplicas), rule: 'async work → worker' });
    rules.push('async work → queue + worker');
  }
  const realtime = wanted(r('realtime'));
  if (realtime) {
    add({ name: 'realtime_gateway', type: 'realtime', responsibility: 'push updates to connected clients', replicas: Math.max(1, minReplicas), rule: 'realtime → realtime gateway' });
    rules.push('realtime → realtime gateway');
  }
  const search = wanted(r('search'));
  if (search) {
    add({ name: 'search_index', type: 'search', responsibility: 'full-text and faceted search', replicas: Math.max(1, minReplicas), rule: 'search → search index' });
    rules.push('search → search index');
  }
  const pii = wanted(r('pii')) || wanted(c('compliance'));
  if (pii) {
    add({ name: 'key_management', type: 'security', responsibility: 'encryption keys for data at rest and in transit', replicas: 1, rule: 'pii/compliance → key management' });
    add({ name: 'audit_log', type: 'security', responsibility: 'append-only record of access to sensitive data', replicas: 1, rule: 'pii/compliance → audit log' });
    rules.push('pii/compliance → key management + audit log');
  }
  const analytics = wanted(r('analytics'));
  if (analytics) {
    add({ name: 'event_stream', type: 'stream', responsibility: 'publish domain events for consumers', replicas: 1, rule: 'analytics → event stream' });
    add({ name: 'analytics_store', type: 'analytics', responsibility: 'aggregate events for reporting', replicas: 1, rule: 'analytics → analytics store' });
    rules.push('analytics → event stream + analytics store');
  }
  const integrationsValue = r('integrations');
  const integrations = Array.isArray(integrationsValue) ? integrationsValue.filter((i): i is string => typeof i === 'string' && i.trim().length > 0).slice(0, 20) : [];
  if (integrationsValue !== undefined && !Array.isArray(integrationsValue)) throw new ValidationError('requirements.integrations must be a list of system names');
  for (const system of integrations) {
    add({ name: `${slug(system)}_adapter`, type: 'adapter', responsibility: `translate to and from ${system}; retries and circuit breaking`, replicas: 1, rule: 'integration → adapter' });
  }
  if (integrations.length) rules.push(`${integrations.length} integration(s) → one adapter each`);
  add({ name: 'observability', type: 'observability', responsibility: 'logs, metrics, traces and alarms', replicas: 1, rule: 'always: observability' });

  const entry = ['client', ...(cdn ? ['edge_cdn'] : []), ...(redundancy === 'multi_region' ? ['global_router'] : []), 'api_gateway'];
  if (components.some((x) => x.name === 'load_balancer')) entry.push('load_balancer');
  entry.push(core, ...(cache ? ['cache'] : []), ...(stateless ? [] : ['primary_datastore']));
  const flows = [`request: ${entry.join(' → ')}`];
  if (auth) flows.push(`auth: api_gateway → identity_provider (token check)`);
  if (asyncWork) flows.push(`async: ${core} → job_queue → worker${stateless ? '' : ' → primary_datastore'}`);
  if (realtime) flows.push(`push: ${core} → realtime_gateway → client`);
  if (search) flows.push(`search: ${asyncWork ? 'worker' : core} → search_index (indexing); ${core} → search_index (queries)`);
  if (analytics) flows.push(`analytics: ${core} → event_stream → analytics_store`);
  if (dataGb !== null && dataGb >= 1000) flows.push(`bulk: ${core} → object_storage`);
  for (const system of integrations) flows.push(`integration: ${core} → ${slug(system)}_adapter → ${system}`);
  if (pii) flows.push(`security: ${core} → key_management (encrypt); ${core} → audit_log (access records)`);
  flows.push('telemetry: every component → observability');

  const unrecognized = [
    ...[...req.keys()].filter((k) => !usedReq.has(k)).map((k) => `requirements.${k}`),
    ...[...con.keys()].filter((k) => !usedCon.has(k)).map((k) => `constraints.${k}`),
  ];
  return {
    architecture: {
      style,
      redundancy,
      regions,
      platform,
      quality_attributes: { availability_pct: availability, latency_ms: latency, throughput_rps: rps },
      rules_applied: rules,
      assumptions,
      unrecognized_keys: unrecognized,
    },
    components,
    data_flow: flows.join('; '),
  };
}

export interface Design extends DerivedDesign {
  readonly design_id: string;
  readonly name: string;
  readonly status: 'proposed';
  readonly feature_id: string | null;
  readonly version: number;
  readonly created_at: string;
}

/**
 * Designs a system (rules: see deriveDesign) and stores it as a DESIGN record
 * with status `proposed` and version 1, for the CTO's architecture review.
 * A feature_id links the design to a feature (unknown → NotFoundError).
 */
export async function designSystem(
  deps: Deps,
  input: { tenantId: string; author: RoleId; name: string; requirements: Bag; constraints: Bag; featureId?: string },
  ctx: RequestContext = { correlationId: 'design' },
): Promise<Design> {
  const derived = deriveDesign(input.name, input.requirements, input.constraints);
  if (input.featureId !== undefined) await getFeature(deps, input.tenantId, input.featureId);
  const designId = deps.ids.next();
  const at = new Date(deps.clock.now()).toISOString();
  const design: Design = {
    design_id: designId,
    name: input.name,
    status: 'proposed',
    feature_id: input.featureId ?? null,
    version: 1,
    created_at: at,
    ...derived,
  };
  await deps.store.put(
    designCodec(input.tenantId).encode({
      design_id: designId,
      name: input.name,
      status: design.status,
      version: design.version,
      created_at: at,
      updated_at: at,
      components: design.components,
      architecture: { ...design.architecture },
      data_flow: design.data_flow,
      rest: { feature_id: design.feature_id, requirements: input.requirements, constraints: input.constraints, created_by: input.author },
    }),
    { kind: 'absent' },
  );
  await rememberRecord(deps, ctx, {
    tenantId: input.tenantId,
    kind: 'design',
    id: designId,
    author: input.author,
    content:
      `System design ${designId} "${input.name}" by ${input.author}${input.featureId ? ` for feature ${input.featureId}` : ''}: ` +
      `${design.architecture.style} architecture, ${design.architecture.redundancy} redundancy in ${design.architecture.regions} region(s)` +
      `${design.architecture.platform ? ` on ${design.architecture.platform}` : ''}.\n` +
      `Components: ${design.components.map((c) => `${c.name} (${c.type}): ${c.responsibility}`).join('; ')}.\n` +
      `Data flow: ${design.data_flow}\nWhy: ${design.architecture.rules_applied.join('; ')}`,
    tags: [design.architecture.style],
    metadata: { name: input.name, feature_id: input.featureId ?? null },
  });
  return design;
}
