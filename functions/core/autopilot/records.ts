import type { EndpointId, RoleId } from '../../contracts/roles.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

/**
 * The stored entities of the autopilot as typed records, each with its one
 * codec: the tenant's switch and budget, a role's setting, a day's token
 * usage and one activation (per event and role). A setting stores only what
 * a person set (null: the default applies, and follows the defaults).
 */

export interface TenantAutopilotRecord {
  /** null: never set (on). */
  readonly enabled: boolean | null;
  readonly daily_token_budget: number | null;
  readonly updated_by: string | null;
  readonly updated_at: string | null;
  readonly version: number;
}

export function tenantAutopilotCodec(tenantId: string): Codec<TenantAutopilotRecord> {
  return {
    decode: (i) => ({
      enabled: field.boolOrNull(i, 'enabled'),
      daily_token_budget: field.numOrNull(i, 'daily_token_budget'),
      updated_by: field.strOrNull(i, 'updated_by'),
      updated_at: field.strOrNull(i, 'updated_at'),
      version: field.num(i, 'version'),
    }),
    encode: (t) => ({ ...keys.autopilotTenant(tenantId), type: 'autopilot_tenant', ...withoutNulls(t) }),
  };
}

export interface RoleAutopilotRecord {
  readonly role: RoleId;
  readonly enabled: boolean;
  readonly model_id: string | null;
  readonly max_steps: number | null;
  /** As stored (a trigger this version does not know is ignored by the view). */
  readonly triggers: string[] | null;
  readonly updated_by: string | null;
  readonly updated_at: string | null;
  readonly version: number;
}

export function roleAutopilotCodec(tenantId: string, role: RoleId): Codec<RoleAutopilotRecord> {
  return {
    decode: (i) => ({
      role,
      enabled: field.bool(i, 'enabled'),
      model_id: field.strOrNull(i, 'model_id'),
      max_steps: field.numOrNull(i, 'max_steps'),
      triggers: i.triggers === undefined || i.triggers === null ? null : field.strs(i, 'triggers'),
      updated_by: field.strOrNull(i, 'updated_by'),
      updated_at: field.strOrNull(i, 'updated_at'),
      version: field.num(i, 'version'),
    }),
    encode: (r) => ({ ...keys.autopilotRole(tenantId, r.role), type: 'autopilot_role', ...withoutNulls(r) }),
  };
}

/** A tenant's autopilot usage for one UTC day (atomic increments). */
export interface AutopilotUsageRecord {
  readonly tokens: number;
  readonly steps: number;
  readonly updated_at: string;
}

export function autopilotUsageCodec(tenantId: string, day: string): Codec<AutopilotUsageRecord> {
  return {
    decode: (i) => ({ tokens: field.num(i, 'tokens'), steps: field.num(i, 'steps'), updated_at: field.str(i, 'updated_at') }),
    encode: (u) => ({ ...keys.autopilotUsage(tenantId, day), type: 'autopilot_usage', ...u }),
  };
}

/** One autopilot activation: claimed (running) per event and role, then finished with how it ended. */
export interface ActivationRecord {
  readonly status: string;
  readonly trigger: string;
  readonly subject: string;
  /** Epoch ms of the claim: a running activation older than the lease was lost. */
  readonly claimed_at: number;
  readonly ended_at: string | null;
  readonly steps: number | null;
  readonly tokens: number | null;
  readonly tool_calls: number | null;
  readonly version: number;
}

export function activationCodec(tenantId: string, eventId: string, role: EndpointId): Codec<ActivationRecord> {
  return {
    decode: (i) => ({
      status: field.reqStr(i, 'status'),
      trigger: field.str(i, 'trigger'),
      subject: field.str(i, 'subject'),
      claimed_at: field.num(i, 'claimed_at'),
      ended_at: field.strOrNull(i, 'ended_at'),
      steps: field.numOrNull(i, 'steps'),
      tokens: field.numOrNull(i, 'tokens'),
      tool_calls: field.numOrNull(i, 'tool_calls'),
      version: field.num(i, 'version'),
    }),
    encode: (a) => ({ ...keys.autopilotActivation(tenantId, eventId, role), type: 'autopilot_activation', ...withoutNulls(a) }),
  };
}

/** The attributes that are set (a setting left unset is not stored, so its default keeps applying). */
function withoutNulls<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null)) as Partial<T>;
}
