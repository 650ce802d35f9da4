import type { RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { rememberRecord } from '../memory/remember.js';
import { ValidationError } from '../errors.js';
import { documentCodec } from '../documents.js';
import { getFeature } from '../product/features.js';

/** The record kind of a UX design specification (`keys.record(tenant, UXSPEC_KIND, id)`). */
export const UXSPEC_KIND = 'UXSPEC';

export const PLATFORMS = ['web', 'ios', 'android', 'desktop'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface ComponentUse {
  readonly component: string;
  readonly uses: number;
  readonly screens: string[];
}

export interface ComponentInventory {
  readonly inventory: ComponentUse[];
  readonly total_uses: number;
  readonly unique_components: number;
  /** 1 − unique ÷ total uses: 0 when every use is a different component, near 1 when few components are reused everywhere. */
  readonly reuse_rate: number;
  /** Used on two or more screens. */
  readonly shared_components: string[];
  /** Used on exactly one screen. */
  readonly one_off_components: string[];
  /** Used on three or more screens, or on at least half the screens when there are four or more: worth a design-system entry. */
  readonly design_system_candidates: string[];
  /** Screens × platforms: the screen variants to design. */
  readonly variants: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The component inventory of a set of screens. Component names are
 * matched case-insensitively after trimming (the first spelling is kept); a
 * component listed twice on one screen counts as two uses on one screen.
 * reuse_rate = 1 − unique components ÷ total uses (0 with no uses).
 * Candidates for the design system: used on ≥ 3 screens, or on ≥ half the
 * screens when there are ≥ 4. Variants = screens × platforms.
 */
export function componentInventory(screens: readonly { name: string; components: readonly string[] }[], platforms: number): ComponentInventory {
  const seen = new Set<string>();
  for (const s of screens) {
    const key = s.name.trim().toLowerCase();
    if (seen.has(key)) throw new ValidationError(`duplicate screen name "${s.name}"`);
    seen.add(key);
  }
  const byKey = new Map<string, { component: string; uses: number; screens: string[] }>();
  let total = 0;
  for (const screen of screens) {
    for (const raw of screen.components) {
      const name = raw.trim();
      if (!name) continue;
      total++;
      const key = name.toLowerCase();
      const entry = byKey.get(key) ?? { component: name, uses: 0, screens: [] };
      entry.uses++;
      if (!entry.screens.includes(screen.name)) entry.screens.push(screen.name);
      byKey.set(key, entry);
    }
  }
  const inventory = [...byKey.values()].sort((a, b) => b.screens.length - a.screens.length || b.uses - a.uses || a.component.localeCompare(b.component));
  const candidateFloor = screens.length >= 4 ? Math.min(3, Math.ceil(screens.length / 2)) : 3;
  return {
    inventory,
    total_uses: total,
    unique_components: inventory.length,
    reuse_rate: total === 0 ? 0 : round2(1 - inventory.length / total),
    shared_components: inventory.filter((c) => c.screens.length >= 2).map((c) => c.component),
    one_off_components: inventory.filter((c) => c.screens.length === 1).map((c) => c.component),
    design_system_candidates: inventory.filter((c) => c.screens.length >= candidateFloor).map((c) => c.component),
    variants: screens.length * platforms,
  };
}

export interface UxSpec extends ComponentInventory {
  readonly spec_id: string;
  readonly feature: string;
  readonly feature_id: string | null;
  readonly platforms: Platform[];
  readonly screens: { name: string; components: string[] }[];
  readonly created_at: string;
}

/**
 * Creates a UX design specification: the screens, platforms and their
 * component inventory (see componentInventory), stored as a UXSPEC record.
 * A feature_id links it to a feature (unknown → NotFoundError).
 */
export async function createDesignSpec(
  deps: Deps,
  input: { tenantId: string; author: RoleId; feature: string; featureId?: string; screens: readonly { name: string; components: readonly string[] }[]; platforms: readonly Platform[] },
  ctx: RequestContext = { correlationId: 'ux-spec' },
): Promise<UxSpec> {
  const platforms = [...new Set(input.platforms)];
  if (platforms.length === 0) throw new ValidationError('name at least one platform');
  if (input.screens.length === 0) throw new ValidationError('name at least one screen');
  const inventory = componentInventory(input.screens, platforms.length);
  if (input.featureId !== undefined) await getFeature(deps, input.tenantId, input.featureId);
  const specId = deps.ids.next();
  const at = new Date(deps.clock.now()).toISOString();
  const spec: UxSpec = {
    spec_id: specId,
    feature: input.feature,
    feature_id: input.featureId ?? null,
    platforms,
    screens: input.screens.map((s) => ({ name: s.name, components: [...s.components] })),
    created_at: at,
    ...inventory,
  };
  await deps.store.put(uxSpecCodec(input.tenantId).encode({ ...spec, status: 'draft', created_by: input.author, version: 1 }), { kind: 'absent' });
  await rememberRecord(deps, ctx, {
    tenantId: input.tenantId,
    kind: 'ux_spec',
    id: specId,
    author: input.author,
    content:
      `UX design spec ${specId} for "${input.feature}" by ${input.author}, platforms ${platforms.join(', ')}.\n` +
      `Screens: ${spec.screens.map((s) => `${s.name} (${s.components.join(', ')})`).join('; ')}.`,
    tags: ['ux', ...platforms],
    metadata: { feature: input.feature, feature_id: input.featureId ?? null },
  });
  return spec;
}

/** A UX spec as stored (written once, as a draft). */
export type UxSpecRecord = UxSpec & { readonly status: 'draft'; readonly created_by: RoleId; readonly version: number };

export function uxSpecCodec(tenantId: string) {
  return documentCodec<UxSpecRecord>(tenantId, { kind: UXSPEC_KIND, type: 'uxspec', id: 'spec_id', at: 'created_at', required: ['feature', 'screens'] });
}
