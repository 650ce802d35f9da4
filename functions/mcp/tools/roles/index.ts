import { AGENT_ROLES, type RoleId } from '../../../contracts/roles.js';
import type { ToolDefinition } from '../../tool.js';

/**
 * Each role's own tools, loaded the first time its endpoint needs them. A
 * server serves one endpoint per request, so nothing else needs loading: in
 * the Lambda bundle every role's tools (and the core use cases only they
 * call) are a chunk of their own, and a cold start compiles only the shared
 * surface. Each tool's `availableTo` names its role.
 */
const ROLE_TOOL_MODULES: Readonly<Record<RoleId, () => Promise<readonly ToolDefinition[]>>> = {
  ceo: async () => (await import('./ceo.js')).CEO_TOOLS,
  cto: async () => (await import('./cto.js')).CTO_TOOLS,
  chro: async () => (await import('./chro.js')).CHRO_TOOLS,
  operations_head: async () => (await import('./operations_head.js')).OPERATIONS_HEAD_TOOLS,
  product_manager: async () => (await import('./product_manager.js')).PRODUCT_MANAGER_TOOLS,
  senior_architect: async () => (await import('./senior_architect.js')).SENIOR_ARCHITECT_TOOLS,
  uiux_engineer: async () => (await import('./uiux_engineer.js')).UIUX_ENGINEER_TOOLS,
  senior_developer: async () => (await import('./senior_developer.js')).SENIOR_DEVELOPER_TOOLS,
  test_lead: async () => (await import('./test_lead.js')).TEST_LEAD_TOOLS,
};

/** Each role's list once loaded (an `import()` of a loaded module still goes through the module loader on every call). */
const loaded = new Map<RoleId, Promise<readonly ToolDefinition[]>>();

/** A role's own tools, in the order its list declares them. */
export function roleTools(role: RoleId): Promise<readonly ToolDefinition[]> {
  let tools = loaded.get(role);
  if (!tools) {
    tools = ROLE_TOOL_MODULES[role]();
    loaded.set(role, tools);
    // A failed load (a missing chunk) is not remembered: the next request tries again.
    tools.catch(() => loaded.delete(role));
  }
  return tools;
}

/** Every role's own tools, role by role in org-chart order. */
export async function allRoleTools(): Promise<ToolDefinition[]> {
  const lists = await Promise.all(AGENT_ROLES.map(roleTools));
  return lists.flat();
}
