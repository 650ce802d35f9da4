import { AGENT_ROLES, BOARD } from '../../contracts/roles.js';
import { listAgents, type AgentView } from '../agents/agents.js';
import type { Deps } from '../context.js';
import { reviewOrganizationalHealth, type HealthReport } from '../health/organizational-health.js';
import { loadChart } from '../org/authority.js';
import type { RoleDefinition } from '../org/chart.js';

/** The console's organization page: the tenant's chart (with its authority limits), its agents and its health. */
export interface OrganizationView {
  /** Every role, top down (the CEO first), with the tenant's own authority limits. */
  readonly chart: (RoleDefinition & { readonly depth: number })[];
  readonly top: typeof BOARD;
  readonly agents: AgentView[];
  readonly health: HealthReport;
}

export async function organizationView(deps: Deps, tenantId: string): Promise<OrganizationView> {
  const [chart, agents, health] = await Promise.all([loadChart(deps, tenantId), listAgents(deps, tenantId), reviewOrganizationalHealth(deps, { tenantId })]);
  const depth = (role: RoleDefinition): number => (role.reportsTo === BOARD ? 0 : 1 + depth(chart[role.reportsTo]));
  // Depth-first from the CEO, so each role follows its superior.
  const ordered: (RoleDefinition & { depth: number })[] = [];
  const visit = (reportsTo: RoleDefinition['reportsTo']) => {
    for (const role of AGENT_ROLES.filter((r) => chart[r].reportsTo === reportsTo)) {
      ordered.push({ ...chart[role], depth: depth(chart[role]) });
      visit(role);
    }
  };
  visit(BOARD);
  return { chart: ordered, top: BOARD, agents, health };
}
