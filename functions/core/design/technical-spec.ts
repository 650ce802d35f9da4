import type { RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { rememberRecord } from '../memory/remember.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { documentCodec } from '../documents.js';
import { getFeature, type Feature } from '../product/features.js';
import { DESIGN_KIND } from './system-design.js';
import { designCodec } from './design-record.js';

/** The record kind of a technical specification (`keys.record(tenant, SPEC_KIND, id)`). */
export const SPEC_KIND = 'SPEC';

export interface SpecDocument {
  readonly title: string;
  readonly feature: { feature_id: string | null; name: string; business_value: string | null; priority: string | null };
  readonly design_id: string | null;
  readonly requirements: { id: string; statement: string }[];
  readonly architecture: Record<string, unknown>;
  /** Components in build order: data and infrastructure, then services and workers, then edges and adapters, then observability. */
  readonly components: { name: string; type: string | null; phase: number }[];
  readonly test_strategy: string[];
  readonly open_questions: string[];
}

export interface TechnicalSpec {
  readonly spec_id: string;
  readonly feature_id: string | null;
  readonly design_id: string | null;
  readonly status: 'draft';
  readonly spec_document: SpecDocument;
  readonly implementation_guide: string;
  readonly created_at: string;
}

/** Build phase by component type: 1 data/infrastructure, 2 services, 3 entry points and adapters, 4 observability. */
const PHASE: Readonly<Record<string, number>> = {
  datastore: 1,
  cache: 1,
  queue: 1,
  object_storage: 1,
  search: 1,
  stream: 1,
  analytics: 1,
  security: 1,
  identity: 1,
  service: 2,
  worker: 2,
  gateway: 3,
  load_balancer: 3,
  routing: 3,
  edge: 3,
  realtime: 3,
  adapter: 3,
  observability: 4,
};
const PHASE_NAMES = ['', 'data and infrastructure', 'services and workers', 'entry points and adapters', 'observability and rollout'];

/** Component names from `architecture.components`: a list of names or of objects with a `name` (and optional `type`). */
function componentsOf(value: unknown): { name: string; type: string | null }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError('architecture.components must be a list of names or of {name, type}');
  return value.map((c, i) => {
    if (typeof c === 'string' && c.trim()) return { name: c.trim(), type: null };
    if (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') {
      const type = (c as { type?: unknown }).type;
      return { name: (c as { name: string }).name, type: typeof type === 'string' ? type : null };
    }
    throw new ValidationError(`architecture.components[${i}] must be a name or an object with a name`);
  });
}

/**
 * Writes a technical specification: the feature's requirements (from its
 * FEATURE record when feature_id is given, else the free-text feature),
 * the components of the given architecture (or of the linked DESIGN when
 * the architecture names none) in build order — phase 1 data and
 * infrastructure, 2 services and workers, 3 entry points and adapters, 4
 * observability; unknown types go to phase 2 — a test per requirement, and
 * open questions (flagged stories, missing components). Stores a SPEC
 * record (status draft). Unknown feature_id or design_id → NotFoundError.
 */
export async function createTechnicalSpec(
  deps: Deps,
  input: { tenantId: string; author: RoleId; featureId?: string; feature?: string; designId?: string; architecture: Record<string, unknown> },
  ctx: RequestContext = { correlationId: 'spec' },
): Promise<TechnicalSpec> {
  if ((input.featureId === undefined) === (input.feature === undefined)) throw new ValidationError('pass exactly one of feature_id or feature');
  const feature: Feature | null = input.featureId !== undefined ? await getFeature(deps, input.tenantId, input.featureId) : null;
  let components = componentsOf(input.architecture.components);
  if (input.designId !== undefined) {
    const item = await deps.store.get(keys.record(input.tenantId, DESIGN_KIND, input.designId));
    if (!item) throw new NotFoundError(`no design ${input.designId}`);
    const design = designCodec(input.tenantId).decode(item);
    if (components.length === 0) components = design.components.map((c) => ({ name: c.name, type: c.type }));
  }
  const name = feature?.name ?? (input.feature as string);
  const requirements = feature
    ? feature.requirements.functional.map((r) => ({
        id: r.id,
        statement: r.role ? `${r.role} can ${r.goal}${r.benefit ? ` so that ${r.benefit}` : ''}` : r.goal,
      }))
    : [{ id: 'FR-1', statement: name }];
  const ordered = components
    .map((c, index) => ({ ...c, phase: (c.type && PHASE[c.type]) || 2, index }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index)
    .map(({ index: _index, ...c }) => c);

  const openQuestions: string[] = [];
  for (const flag of feature?.requirements.flagged ?? []) openQuestions.push(`${flag.id}: ${flag.issue}; rewrite the story before implementing`);
  if (!feature) openQuestions.push('no feature record linked: requirements are the feature text only; define_feature gives numbered requirements');
  if (ordered.length === 0) openQuestions.push('the architecture names no components; run design_system or list architecture.components');

  const document: SpecDocument = {
    title: `Technical specification: ${name}`,
    feature: { feature_id: feature?.feature_id ?? null, name, business_value: feature?.business_value ?? null, priority: feature?.priority ?? null },
    design_id: input.designId ?? null,
    requirements,
    architecture: input.architecture,
    components: ordered,
    test_strategy: [
      ...requirements.map((r) => `${r.id}: an acceptance test showing ${r.statement}`),
      ...ordered.filter((c) => c.phase <= 2).map((c) => `${c.name}: integration test against its real interface`),
    ],
    open_questions: openQuestions,
  };

  const steps: string[] = [];
  for (const phase of [1, 2, 3, 4]) {
    const inPhase = ordered.filter((c) => c.phase === phase);
    if (inPhase.length) steps.push(`Build ${PHASE_NAMES[phase]}: ${inPhase.map((c) => c.name).join(', ')}.`);
  }
  for (const r of requirements) steps.push(`Implement ${r.id}: ${r.statement}; done when its acceptance test passes.`);
  steps.push('Run the quality gate (all acceptance and integration tests green) before requesting deployment.');
  if (openQuestions.length) steps.unshift(`Resolve ${openQuestions.length} open question(s) first (see spec_document.open_questions).`);
  const guide = steps.map((s, i) => `${i + 1}. ${s}`).join('\n');

  const specId = deps.ids.next();
  const at = new Date(deps.clock.now()).toISOString();
  const spec: TechnicalSpec = {
    spec_id: specId,
    feature_id: feature?.feature_id ?? null,
    design_id: input.designId ?? null,
    status: 'draft',
    spec_document: document,
    implementation_guide: guide,
    created_at: at,
  };
  await deps.store.put(specCodec(input.tenantId).encode({ ...spec, created_by: input.author, version: 1 }), { kind: 'absent' });
  await rememberRecord(deps, ctx, {
    tenantId: input.tenantId,
    kind: 'spec',
    id: specId,
    author: input.author,
    content:
      `${document.title} (spec ${specId}) by ${input.author}${input.designId ? `, from design ${input.designId}` : ''}.\n` +
      `Requirements: ${requirements.map((r) => `${r.id} ${r.statement}`).join('; ')}.\n` +
      `Components: ${ordered.map((c) => c.name).join(', ') || 'none named'}.\n` +
      (openQuestions.length ? `Open questions: ${openQuestions.join('; ')}.\n` : '') +
      `Plan:\n${guide}`,
    tags: ['technical spec'],
    metadata: { feature_id: feature?.feature_id ?? null, design_id: input.designId ?? null },
  });
  return spec;
}

/** Whether a SPEC record exists for the tenant; NotFoundError otherwise. */
export async function requireSpec(deps: Deps, tenantId: string, specId: string): Promise<void> {
  if (!(await deps.store.get(keys.record(tenantId, SPEC_KIND, specId)))) throw new NotFoundError(`no spec ${specId}`);
}

/** A technical spec as stored (written once). */
export type TechnicalSpecRecord = TechnicalSpec & { readonly created_by: RoleId; readonly version: number };

export function specCodec(tenantId: string) {
  return documentCodec<TechnicalSpecRecord>(tenantId, { kind: SPEC_KIND, type: 'spec', id: 'spec_id', at: 'created_at', required: ['spec_document'] });
}
