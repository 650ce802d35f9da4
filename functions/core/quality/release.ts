import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field, updateRecord, type Codec } from '../versioned.js';

/**
 * The record kind of a release's quality summary: one item per release
 * (`keys.record(tenant, RELEASE, name)`) pointing at its latest test plan and
 * its latest quality gate. Reading it is a strongly consistent get, so a gate
 * is seen by deployment approval the moment it is recorded (the GATE index
 * is eventually consistent and serves listings only).
 */
export const RELEASE = 'RELEASE';

/** Release names: a letter or digit, then letters, digits, `.`, `_`, `-`, `+` (e.g. `v2.4.0`, `2026.07-rc1`). */
export const RELEASE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export function checkReleaseName(release: string): string {
  if (!RELEASE_PATTERN.test(release)) throw new ValidationError(`release "${release}" must be 1–64 letters, digits, ".", "_", "-" or "+", starting with a letter or digit`);
  return release;
}

/** What is known about a release's quality. */
export interface ReleaseSummary {
  readonly release: string;
  readonly latest_plan_id: string | null;
  /** The line-coverage target of the latest test plan, used by the quality gate. */
  readonly coverage_target_pct: number | null;
  readonly planned_test_types: string[];
  readonly latest_gate_id: string | null;
  readonly latest_gate_passed: boolean | null;
  /** `<created_at>#<gate_id>` of the latest gate: a later gate replaces it, an earlier one (arriving late) does not. */
  readonly latest_gate_order: string | null;
}

/** The summary as stored: one record per release, created on first use. */
export interface ReleaseRecord extends ReleaseSummary {
  readonly tenant_id: string;
  readonly updated_at: string;
}

export const releaseCodec: Codec<ReleaseRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    release: field.reqStr(i, 'release'),
    latest_plan_id: field.strOrNull(i, 'latest_plan_id'),
    coverage_target_pct: field.numOrNull(i, 'coverage_target_pct'),
    planned_test_types: field.strs(i, 'planned_test_types'),
    latest_gate_id: field.strOrNull(i, 'latest_gate_id'),
    latest_gate_passed: field.boolOrNull(i, 'latest_gate_passed'),
    latest_gate_order: field.strOrNull(i, 'latest_gate_order'),
    updated_at: field.str(i, 'updated_at'),
  }),
  encode: (r) => ({ ...keys.record(r.tenant_id, RELEASE, r.release), type: 'release', ...r }),
};

export async function getRelease(deps: Deps, tenantId: string, release: string): Promise<ReleaseSummary | undefined> {
  const item = await deps.store.get(keys.record(tenantId, RELEASE, release));
  return item ? toSummary(releaseCodec.decode(item)) : undefined;
}

/**
 * Applies `change` to a release's summary with optimistic concurrency
 * (version precondition, retried), creating it on first use. `change`
 * returns undefined to leave the summary as it is.
 */
export async function updateRelease(
  deps: Deps,
  tenantId: string,
  release: string,
  change: (current: ReleaseSummary) => Partial<ReleaseSummary> | undefined,
): Promise<void> {
  await updateRecord(
    deps.store,
    keys.record(tenantId, RELEASE, release),
    releaseCodec,
    (current) => {
      const patch = change(toSummary(current));
      return patch && { ...current, ...patch, release, tenant_id: tenantId, updated_at: new Date(deps.clock.now()).toISOString() };
    },
    { what: `release ${release}`, create: () => ({ tenant_id: tenantId, ...emptySummary(release), updated_at: '' }) },
  );
}

function emptySummary(release: string): ReleaseSummary {
  return {
    release,
    latest_plan_id: null,
    coverage_target_pct: null,
    planned_test_types: [],
    latest_gate_id: null,
    latest_gate_passed: null,
    latest_gate_order: null,
  };
}

function toSummary(r: ReleaseRecord): ReleaseSummary {
  return {
    release: r.release,
    latest_plan_id: r.latest_plan_id,
    coverage_target_pct: r.coverage_target_pct,
    planned_test_types: r.planned_test_types,
    latest_gate_id: r.latest_gate_id,
    latest_gate_passed: r.latest_gate_passed,
    latest_gate_order: r.latest_gate_order,
  };
}
