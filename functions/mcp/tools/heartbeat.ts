import * as z from 'zod';
import { AGENT_ROLES, isRoleId } from '../../contracts/roles.js';
import { recordHeartbeat } from '../../core/agents/agents.js';
import { ValidationError } from '../../core/errors.js';
import { defineTool } from '../tool.js';

export const heartbeatTool = defineTool({
  name: 'heartbeat',
  title: 'Report this agent is alive',
  description:
    'Reports that you, the agent acting as this role, are alive, with your status (running by default; idle when waiting ' +
    'for work; error when you cannot proceed), your capabilities and version. Call it when you start working as the role ' +
    'and periodically while you work: a role with no heartbeat for the stale period is reported stale to the whole ' +
    'organization. Omitted capabilities and version keep their previous values.',
  input: z.object({
    status: z.enum(['running', 'idle', 'error']).optional().describe('Your current status; defaults to running.'),
    capabilities: z.array(z.string().min(1).max(100)).max(50).optional().describe('What you can do, e.g. "typescript", "security-review".'),
    version: z.string().min(1).max(100).optional().describe('Your agent or client version.'),
  }),
  output: z.object({
    role: z.enum(AGENT_ROLES),
    status: z.enum(['running', 'idle', 'stale', 'error']),
    last_heartbeat: z.string().nullable(),
    version: z.string().nullable(),
    capabilities: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: AGENT_ROLES,
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role agent sends heartbeats');
    const view = await recordHeartbeat(deps, { correlationId }, { tenantId: actor.tenantId, role: actor.actingAs, ...input });
    return {
      role: view.role,
      status: view.status,
      last_heartbeat: view.last_heartbeat,
      version: view.version,
      capabilities: view.capabilities,
    };
  },
});
