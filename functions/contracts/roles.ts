/**
 * Role and endpoint identifiers: the public names clients connect to
 * (`/mcp/<endpoint>`) and the names stored with every record.
 */
export const AGENT_ROLES = [
  'ceo',
  'cto',
  'chro',
  'operations_head',
  'product_manager',
  'senior_architect',
  'uiux_engineer',
  'senior_developer',
  'test_lead',
] as const;

/** A role an AI agent (or a person) can act as. */
export type RoleId = (typeof AGENT_ROLES)[number];

/** The human board: the top of every escalation chain. Only human principals may act as it. */
export const BOARD = 'board' as const;

/** Every MCP endpoint: the nine roles plus the board. */
export const ENDPOINTS = [...AGENT_ROLES, BOARD] as const;
export type EndpointId = (typeof ENDPOINTS)[number];

/** Channels a message can be addressed to besides a single role. */
export const LEADERSHIP: readonly RoleId[] = ['ceo', 'cto', 'chro', 'operations_head'];

export function isRoleId(value: string): value is RoleId {
  return (AGENT_ROLES as readonly string[]).includes(value);
}

export function isEndpointId(value: string): value is EndpointId {
  return (ENDPOINTS as readonly string[]).includes(value);
}
