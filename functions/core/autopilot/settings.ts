import { AUTOPILOT_DEFAULTS, AUTOPILOT_TRIGGERS, MODEL_ID_PATTERN, type AutopilotTrigger } from '../../contracts/autopilot.js';
import { AGENT_ROLES, BOARD, isRoleId, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import type { Actor } from '../principal.js';
import { updateRecord } from '../versioned.js';
import { autopilotUsageCodec, roleAutopilotCodec, tenantAutopilotCodec, type RoleAutopilotRecord, type TenantAutopilotRecord } from './records.js';

/** A role's autopilot setting (off by default). */
export interface RoleAutopilot {
  readonly role: RoleId;
  readonly enabled: boolean;
  readonly model_id: string;
  readonly max_steps: number;
  readonly triggers: AutopilotTrigger[];
  readonly updated_by: string | null;
  readonly updated_at: string | null;
}

/** The tenant's autopilot: the kill switch over every role and the daily token budget shared by them. */
export interface TenantAutopilot {
  readonly enabled: boolean;
  readonly daily_token_budget: number;
  readonly tokens_used_today: number;
  readonly updated_by: string | null;
  readonly updated_at: string | null;
}

export interface AutopilotView {
  readonly tenant: TenantAutopilot;
  readonly roles: RoleAutopilot[];
}

/** The UTC day a time falls in (`2026-12-06`): the budget's period. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function roleView(role: RoleId, r: RoleAutopilotRecord | undefined): RoleAutopilot {
  const triggers = r?.triggers ? r.triggers.filter((t): t is AutopilotTrigger => (AUTOPILOT_TRIGGERS as readonly string[]).includes(t)) : [...AUTOPILOT_DEFAULTS.triggers];
  return {
    role,
    enabled: r?.enabled ?? false,
    model_id: r?.model_id ?? AUTOPILOT_DEFAULTS.modelId,
    max_steps: r?.max_steps ?? AUTOPILOT_DEFAULTS.maxSteps,
    triggers,
    updated_by: r?.updated_by ?? null,
    updated_at: r?.updated_at ?? null,
  };
}

function tenantView(t: TenantAutopilotRecord | undefined, used: number): TenantAutopilot {
  return {
    // The tenant switch is on unless a person turned it off; each role is off until turned on.
    enabled: t?.enabled !== false,
    daily_token_budget: t?.daily_token_budget ?? AUTOPILOT_DEFAULTS.dailyTokenBudget,
    tokens_used_today: used,
    updated_by: t?.updated_by ?? null,
    updated_at: t?.updated_at ?? null,
  };
}

/** Tokens the tenant's agents used today (UTC). */
export async function tokensUsedToday(deps: Deps, tenantId: string): Promise<number> {
  const day = utcDay(deps.clock.now());
  const usage = await deps.store.get(keys.autopilotUsage(tenantId, day));
  return usage ? autopilotUsageCodec(tenantId, day).decode(usage).tokens : 0;
}

/** The tenant's autopilot switch, budget and today's usage, with every role's setting (one query and one read). */
export async function getAutopilot(deps: Deps, tenantId: string): Promise<AutopilotView> {
  const [page, used] = await Promise.all([
    deps.store.query({ pk: keys.autopilotTenant(tenantId).pk, skPrefix: keys.autopilotPrefix, limit: 20 }),
    tokensUsedToday(deps, tenantId),
  ]);
  const bySk = new Map(page.items.map((i) => [i.sk, i]));
  const tenantItem = bySk.get(keys.autopilotTenant(tenantId).sk);
  return {
    tenant: tenantView(tenantItem && tenantAutopilotCodec(tenantId).decode(tenantItem), used),
    roles: AGENT_ROLES.map((role) => {
      const item = bySk.get(keys.autopilotRole(tenantId, role).sk);
      return roleView(role, item && roleAutopilotCodec(tenantId, role).decode(item));
    }),
  };
}

export interface SetAutopilotInput {
  readonly actor: Actor;
  /** The role to set; omitted: the tenant-wide switch (and budget). */
  readonly role?: EndpointId;
  readonly enabled: boolean;
  readonly modelId?: string;
  readonly maxSteps?: number;
  readonly triggers?: readonly AutopilotTrigger[];
  readonly dailyTokenBudget?: number;
}

/** Model ids the deployment allows (its IAM grant names exactly these); empty: any well-formed id. */
export type AllowedModels = readonly string[];

/**
 * Turns a role's autopilot on or off (with its model, max steps and
 * triggers), or the tenant's switch over every role, and sets the tenant's
 * daily token budget. Only people may do this: an agent (an autopilot
 * included) is refused. The board is never on autopilot.
 */
export async function setAutopilot(deps: Deps, input: SetAutopilotInput, allowedModels: AllowedModels = []): Promise<AutopilotView> {
  if (!input.actor.human) throw new ForbiddenError('only a person can change autopilot settings; an agent cannot turn any autopilot on or off');
  if (input.role === BOARD) throw new ValidationError('the board is never on autopilot: its rulings are made by people');
  if (input.role !== undefined && !isRoleId(input.role)) throw new ValidationError(`unknown role ${input.role satisfies string}`);
  if (input.modelId !== undefined) {
    if (!MODEL_ID_PATTERN.test(input.modelId)) throw new ValidationError('model_id is not a model id');
    if (allowedModels.length && !allowedModels.includes(input.modelId)) {
      throw new ValidationError(`model ${input.modelId} is not enabled for this deployment; allowed: ${allowedModels.join(', ')}`);
    }
  }
  if (input.role === undefined && (input.modelId !== undefined || input.maxSteps !== undefined || input.triggers !== undefined)) {
    throw new ValidationError('model_id, max_steps and triggers are set per role: name the role');
  }
  const tenantId = input.actor.tenantId;
  const at = new Date(deps.clock.now()).toISOString();
  const by = `${input.actor.keyId} as ${input.actor.actingAs}`;
  const what = { what: 'the autopilot setting', attempts: 5 };
  if (input.role === undefined || input.dailyTokenBudget !== undefined) {
    const unset: TenantAutopilotRecord = { enabled: null, daily_token_budget: null, updated_by: null, updated_at: null, version: 0 };
    await updateRecord(
      deps.store,
      keys.autopilotTenant(tenantId),
      tenantAutopilotCodec(tenantId),
      (current) => ({
        ...current,
        ...(input.role === undefined ? { enabled: input.enabled } : {}),
        ...(input.dailyTokenBudget !== undefined ? { daily_token_budget: input.dailyTokenBudget } : {}),
        updated_by: by,
        updated_at: at,
      }),
      { ...what, create: () => unset },
    );
  }
  const role = input.role;
  if (role !== undefined && isRoleId(role)) {
    const unset: RoleAutopilotRecord = { role, enabled: false, model_id: null, max_steps: null, triggers: null, updated_by: null, updated_at: null, version: 0 };
    await updateRecord(
      deps.store,
      keys.autopilotRole(tenantId, role),
      roleAutopilotCodec(tenantId, role),
      (current) => ({
        ...current,
        enabled: input.enabled,
        ...(input.modelId !== undefined ? { model_id: input.modelId } : {}),
        ...(input.maxSteps !== undefined ? { max_steps: input.maxSteps } : {}),
        ...(input.triggers !== undefined ? { triggers: [...new Set(input.triggers)] } : {}),
        updated_by: by,
        updated_at: at,
      }),
      { ...what, create: () => unset },
    );
  }
  return getAutopilot(deps, tenantId);
}
