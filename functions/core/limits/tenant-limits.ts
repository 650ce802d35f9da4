import { DEFAULT_RATE_LIMITS, RATE_LIMIT_BOUNDS, RATE_LIMIT_WIRE, type RateLimitName, type RateLimits } from '../../contracts/rate-limits.js';
import { BOARD } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import type { Actor } from '../principal.js';
import { field, malformed, updateRecord, type Codec } from '../versioned.js';

const NAMES = Object.keys(RATE_LIMIT_WIRE) as RateLimitName[];

/** A tenant's effective limits and which of them the board has overridden. */
export interface TenantLimits {
  readonly limits: RateLimits;
  readonly overridden: readonly RateLimitName[];
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/** Checks that every limit is a whole number within its bounds; names the first that is not. */
export function validateLimits(limits: Partial<Record<RateLimitName, number>>): void {
  for (const name of NAMES) {
    const value = limits[name];
    if (value === undefined) continue;
    const [min, max] = RATE_LIMIT_BOUNDS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(`${RATE_LIMIT_WIRE[name]} must be a whole number from ${min} to ${max}, got ${value}`);
    }
  }
}

/** The board's overrides of a tenant's limits as stored (a limit not named keeps the deployment default). */
export interface TenantLimitsRecord {
  readonly limits: Readonly<Record<string, number>>;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  readonly version: number;
}

export function tenantLimitsCodec(tenantId: string): Codec<TenantLimitsRecord> {
  return {
    decode: (i) => {
      const limits = field.obj(i, 'limits');
      return {
        limits: Object.fromEntries(
          Object.entries(limits).map(([name, v]) => {
            if (typeof v !== 'number') throw malformed(i, `limits.${name}`, 'a number', v);
            return [name, v];
          }),
        ),
        updatedAt: field.strOrNull(i, 'updatedAt'),
        updatedBy: field.strOrNull(i, 'updatedBy'),
        version: field.num(i, 'version'),
      };
    },
    encode: (r) => {
      const { updatedAt, updatedBy, ...rest } = r;
      return { ...keys.rateLimits(tenantId), type: 'rate-limits', ...rest, ...(updatedAt !== null ? { updatedAt } : {}), ...(updatedBy !== null ? { updatedBy } : {}) };
    },
  };
}

/** The tenant's limits: the board's overrides over `defaults` (the deployment's configuration). */
export async function readTenantLimits(deps: Pick<Deps, 'store'>, tenantId: string, defaults: RateLimits = DEFAULT_RATE_LIMITS): Promise<TenantLimits> {
  const item = await deps.store.get(keys.rateLimits(tenantId));
  const record = item && tenantLimitsCodec(tenantId).decode(item);
  const stored: Readonly<Record<string, number>> = record?.limits ?? {};
  const overridden = NAMES.filter((name) => stored[name] !== undefined);
  const limits = Object.fromEntries(NAMES.map((name) => [name, stored[name] ?? defaults[name]])) as unknown as RateLimits;
  return { limits, overridden, updatedAt: record?.updatedAt ?? null, updatedBy: record?.updatedBy ?? null };
}

/**
 * The board overrides (a number) or resets to the deployment default (null)
 * some of its tenant's limits. Human board principals only; every value is
 * checked before anything is written. Takes effect on each instance within
 * its limits cache (a minute at most).
 */
export async function setTenantLimits(
  deps: Pick<Deps, 'store' | 'clock'>,
  actor: Actor,
  changes: Partial<Record<RateLimitName, number | null>>,
  defaults: RateLimits = DEFAULT_RATE_LIMITS,
): Promise<TenantLimits> {
  if (actor.actingAs !== BOARD || !actor.human) throw new ForbiddenError('only a human acting as the board may change the tenant\'s limits');
  const names = NAMES.filter((name) => changes[name] !== undefined);
  if (names.length === 0) throw new ValidationError(`name at least one limit: ${NAMES.map((n) => RATE_LIMIT_WIRE[n]).join(', ')}`);
  validateLimits(Object.fromEntries(names.flatMap((name) => (changes[name] === null ? [] : [[name, changes[name]]]))));
  const updatedAt = new Date(deps.clock.now()).toISOString();
  // Over the overrides as read (two board members changing different limits at once both land).
  await updateRecord(
    deps.store,
    keys.rateLimits(actor.tenantId),
    tenantLimitsCodec(actor.tenantId),
    (current) => {
      const stored = { ...current.limits };
      for (const name of names) {
        if (changes[name] === null) delete stored[name];
        else stored[name] = changes[name] as number;
      }
      return { ...current, limits: stored, updatedAt, updatedBy: actor.keyId };
    },
    { what: "the tenant's limits", create: () => ({ limits: {}, updatedAt: null, updatedBy: null, version: 0 }) },
  );
  return readTenantLimits(deps, actor.tenantId, defaults);
}
