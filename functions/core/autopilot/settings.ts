import { AUTOPILOT_DEFAULTS, AUTOPILOT_TRIGGERS, MODEL_ID_PATTERN, type AutopilotTrigger } from '../../contracts/autopilot.js';
import { AGENT_ROLES, BOARD, isRoleId, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { ForbiddenError, PreconditionFailedError, ValidationError, ConflictError } from '../errors.js';
import { keys } from '../keys.js';
import type { Actor } from '../principal.js';

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

function decodeRole(role: RoleId, item: Item | undefined): RoleAutopilot {
  const triggers = Array.isArray(item?.triggers) ? (item.triggers as unknown[]).filter((t): t is AutopilotTrigger => (AUTOPILOT_TRIGGERS as readonly unknown[]).includes(t)) : [...AUTOPILOT_DEFAULTS.triggers];
  return {
    role,
    enabled: item?.enabled === true,
    model_id: typeof item?.model_id === 'string' ? item.model_id : AUTOPILOT_DEFAULTS.modelId,
    max_steps: typeof item?.max_steps === 'number' ? item.max_steps : AUTOPILOT_DEFAULTS.maxSteps,
    triggers,
    updated_by: typeof item?.updated_by === 'string' ? item.updated_by : null,
    updated_at: typeof item?.updated_at === 'string' ? item.updated_at : null,
  };
}

function decodeTenant(item: Item | undefined, used: number): TenantAutopilot {
  return {
    // The tenant switch is on unless a person turned it off; each role is off until turned on.
    enabled: item?.enabled !== false,
    daily_token_budget: typeof item?.daily_token_budget === 'number' ? item.daily_token_budget : AUTOPILOT_DEFAULTS.dailyTokenBudget,
    tokens_used_today: used,
    updated_by: typeof item?.updated_by === 'string' ? item.updated_by : null,
    updated_at: typeof item?.updated_at === 'string' ? item.updated_at : null,
  };
}

/** Tokens the tenant's agents used today (UTC). */
export async function tokensUsedToday(deps: Deps, tenantId: string): Promise<number> {
  const usage = await deps.store.get(keys.autopilotUsage(tenantId, utcDay(deps.clock.now())));
  return typeof usage?.tokens === 'number' ? usage.tokens : 0;
}

/** The tenant's autopilot switch, budget and today's usage, with every role's setting (one query and one read). */
export async function getAutopilot(deps: Deps, tenantId: string): Promise<AutopilotView> {
  const [page, used] = await Promise.all([
    deps.store.query({ pk: keys.autopilotTenant(tenantId).pk, skPrefix: keys.autopilotPrefix, limit: 20 }),
    tokensUsedToday(deps, tenantId),
  ]);
  const bySk = new Map(page.items.map((i) => [String(i.sk), i]));
  return {
    tenant: decodeTenant(bySk.get(keys.autopilotTenant(tenantId).sk), used),
    roles: AGENT_ROLES.map((role) => decodeRole(role, bySk.get(keys.autopilotRole(tenantId, role).sk))),
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
  if (input.role !== undefined && !isRoleId(input.role)) throw new ValidationError(`unknown role ${String(input.role)}`);
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
  if (input.role === undefined || input.dailyTokenBudget !== undefined) {
    await update(deps, keys.autopilotTenant(tenantId), (item) => ({
      ...item,
      type: 'autopilot_tenant',
      ...(input.role === undefined ? { enabled: input.enabled } : {}),
      ...(input.dailyTokenBudget !== undefined ? { daily_token_budget: input.dailyTokenBudget } : {}),
      updated_by: by,
      updated_at: at,
    }));
  }
  if (input.role !== undefined) {
    await update(deps, keys.autopilotRole(tenantId, input.role), (item) => ({
      ...item,
      type: 'autopilot_role',
      role: input.role,
      enabled: input.enabled,
      ...(input.modelId !== undefined ? { model_id: input.modelId } : {}),
      ...(input.maxSteps !== undefined ? { max_steps: input.maxSteps } : {}),
      ...(input.triggers !== undefined ? { triggers: [...new Set(input.triggers)] } : {}),
      updated_by: by,
      updated_at: at,
    }));
  }
  return getAutopilot(deps, tenantId);
}

/** Read, change, conditional put (retried a few times on a concurrent change). */
async function update(deps: Deps, key: { pk: string; sk: string }, change: (item: Item) => Item): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.store.get(key);
    const version = typeof current?.version === 'number' ? current.version : 0;
    const next = { ...change(current ?? { ...key }), ...key, version: version + 1 };
    try {
      await deps.store.put(next, current ? { kind: 'version', version } : { kind: 'absent' });
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new ConflictError('the autopilot setting changed concurrently; try again');
}
