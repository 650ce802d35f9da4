import { AGENT_ROLES, type EndpointId } from '../../contracts/roles.js';
import { listAgents } from '../agents/agents.js';
import type { Deps } from '../context.js';
import type { Assignment } from './waits.js';

/**
 * Routing by capability (SPEC "Workflows"): a stage that names a capability
 * goes to the roles whose agents declared it (heartbeat {capabilities}); when
 * no agent declared it, to the stage's own role(s). Each assignment says why
 * it came to its assignee, which `my_tasks` shows.
 */
export async function routeByCapability(deps: Deps, tenantId: string, stage: string, capability: string | undefined, defaults: readonly Assignment[]): Promise<Assignment[]> {
  const byRole = (a: Assignment): Assignment => ({ ...a, routedBecause: a.routedBecause ?? `the ${stage} stage is assigned to the ${a.assignee} role` });
  if (!capability) return defaults.map(byRole);
  const wanted = capability.toLowerCase();
  const declared = (await listAgents(deps, tenantId))
    .filter((agent) => (AGENT_ROLES as readonly string[]).includes(agent.role) && agent.capabilities.some((c) => c.toLowerCase() === wanted))
    .map((agent) => agent.role as EndpointId);
  if (declared.length === 0) {
    return defaults.map((a) => ({ ...a, routedBecause: `the ${stage} stage needs "${capability}"; no agent declared it, so it goes to the stage's role ${a.assignee}` }));
  }
  const template = defaults[0] ?? {};
  return [...new Set(declared)].map((assignee) => ({
    ...template,
    assignee,
    routedBecause: `the ${stage} stage needs "${capability}", which your agent declared (heartbeat capabilities)`,
  }));
}
