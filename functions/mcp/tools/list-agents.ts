import * as z from 'zod';
import { AGENT_ROLES, ENDPOINTS } from '../../contracts/roles.js';
import { listAgents } from '../../core/agents/agents.js';
import { defineTool } from '../tool.js';

const agentStatus = z.enum(['running', 'idle', 'stale', 'error']);

export const listAgentsTool = defineTool({
  name: 'list_agents',
  title: 'List agents and their health',
  description:
    "Lists the organization's nine role agents with their health: status (running, idle, error, or stale when no heartbeat " +
    'arrived within the stale period), last heartbeat, version and capabilities. Use it to see who is available before ' +
    'assigning work or asking for a vote, and to route work by capability.',
  input: z.object({}),
  output: z.object({
    agents: z.array(
      z.object({
        role: z.enum(AGENT_ROLES),
        title: z.string(),
        status: agentStatus,
        reported_status: agentStatus.nullable(),
        last_heartbeat: z.string().nullable(),
        version: z.string().nullable(),
        capabilities: z.array(z.string()),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (_input, { deps, actor }) => ({ agents: await listAgents(deps, actor.tenantId) }),
});
