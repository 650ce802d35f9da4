import { buildEvent } from '../../contracts/events.js';
import { AGENT_ROLES, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { DEFAULT_CHART } from '../org/chart.js';
import { field, type Codec } from '../versioned.js';

export type AgentStatus = 'running' | 'idle' | 'stale' | 'error';

/**
 * A role's agent as stored: its last heartbeat (an explicit one, or any
 * authenticated call). `version` is the agent's own software version, not a
 * record version: heartbeats are last-writer-wins reports of current state.
 */
export interface AgentRecord {
  readonly role: RoleId;
  readonly status: AgentStatus | null;
  readonly lastHeartbeat: string | null;
  readonly version: string | null;
  readonly capabilities: string[];
}

export function agentCodec(tenantId: string): Codec<AgentRecord> {
  return {
    decode: (i) => ({
      role: field.oneOf<RoleId>(i, 'role', 'ceo'),
      status: field.strOrNull(i, 'status') as AgentStatus | null,
      lastHeartbeat: field.strOrNull(i, 'lastHeartbeat'),
      version: field.strOrNull(i, 'version'),
      capabilities: field.strs(i, 'capabilities'),
    }),
    encode: (a) => ({ ...keys.agent(tenantId, a.role), type: 'agent', ...a }),
  };
}

/** An agent's health as reported to clients and to organizational health. */
export interface AgentView {
  readonly role: RoleId;
  readonly title: string;
  /** `stale` when the last heartbeat is older than the stale period, or there was none. */
  readonly status: AgentStatus;
  /** The status the agent last reported itself. */
  readonly reported_status: AgentStatus | null;
  readonly last_heartbeat: string | null;
  readonly version: string | null;
  readonly capabilities: string[];
}

export interface HeartbeatInput {
  readonly tenantId: string;
  readonly role: RoleId;
  readonly status?: 'running' | 'idle' | 'error';
  readonly capabilities?: readonly string[];
  readonly version?: string;
}

/**
 * Records that a role's agent is alive. Capabilities and version are kept
 * from the previous heartbeat when omitted. Publishes Agent.Heartbeat.v1.
 */
export async function recordHeartbeat(deps: Deps, ctx: RequestContext, input: HeartbeatInput): Promise<AgentView> {
  if (input.capabilities?.some((c) => c.trim() === '')) throw new ValidationError('capabilities must be non-empty strings');
  const codec = agentCodec(input.tenantId);
  const stored = await deps.store.get(keys.agent(input.tenantId, input.role));
  const previous = stored && codec.decode(stored);
  const previousView = previous ? toView(input.role, previous, deps.clock.now(), deps.settings.staleAfterMs) : undefined;
  const now = new Date(deps.clock.now()).toISOString();
  const record: AgentRecord = {
    role: input.role,
    status: input.status ?? 'running',
    lastHeartbeat: now,
    version: input.version ?? previous?.version ?? null,
    capabilities: input.capabilities ? [...new Set(input.capabilities)] : (previous?.capabilities ?? []),
  };
  // Last writer wins: heartbeats are idempotent reports of current state.
  await deps.store.put(codec.encode(record));
  const view = toView(input.role, record, deps.clock.now(), deps.settings.staleAfterMs);
  await deps.bus.publish([
    buildEvent('Agent.Heartbeat.v1', {
      tenant_id: input.tenantId,
      correlation_id: ctx.correlationId,
      occurred_at: now,
      role: input.role,
      status: view.status,
      previous_status: previousView?.status ?? null,
      version: view.version,
      capabilities: view.capabilities,
    }),
  ]);
  return view;
}

/**
 * Any authenticated call is its role's heartbeat: refreshes `lastHeartbeat`
 * (keeping the reported status, capabilities and version) so an agent that
 * works is never shown stale just because its session forgot `heartbeat`.
 * Publishes nothing (the explicit heartbeat does, with status changes).
 * The board is a human, not an agent: not tracked.
 */
export async function touchPresence(deps: Deps, tenantId: string, role: EndpointId): Promise<void> {
  if (!(AGENT_ROLES as readonly string[]).includes(role)) return;
  const codec = agentCodec(tenantId);
  const stored = await deps.store.get(keys.agent(tenantId, role));
  const previous = stored && codec.decode(stored);
  await deps.store.put(
    codec.encode({
      role: role as RoleId,
      status: previous?.status ?? 'running',
      version: previous?.version ?? null,
      capabilities: previous?.capabilities ?? [],
      lastHeartbeat: new Date(deps.clock.now()).toISOString(),
    }),
  );
}

/** Every role of the tenant with its health, in org-chart order. */
export async function listAgents(deps: Deps, tenantId: string): Promise<AgentView[]> {
  const page = await deps.store.query({ pk: keys.tenant(tenantId).pk, skPrefix: keys.agentPrefix, limit: 100 });
  const codec = agentCodec(tenantId);
  const byRole = new Map(page.items.map((item) => codec.decode(item)).map((a) => [a.role, a]));
  const now = deps.clock.now();
  return AGENT_ROLES.map((role) => toView(role, byRole.get(role), now, deps.settings.staleAfterMs));
}

function toView(role: RoleId, agent: AgentRecord | undefined, now: number, staleAfterMs: number): AgentView {
  const last = agent?.lastHeartbeat ?? null;
  const reported = agent?.status ?? null;
  const stale = last === null || now - Date.parse(last) > staleAfterMs;
  return {
    role,
    title: DEFAULT_CHART[role].title,
    status: stale ? 'stale' : (reported ?? 'stale'),
    reported_status: reported,
    last_heartbeat: last,
    version: agent?.version ?? null,
    capabilities: agent?.capabilities ?? [],
  };
}
