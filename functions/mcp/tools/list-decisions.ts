import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { listDecisions } from '../../core/decisions/decisions.js';
import { defineTool } from '../tool.js';
import { decision, decisionMode, decisionStatus } from './decision-schemas.js';

export const listDecisionsTool = defineTool({
  name: 'list_decisions',
  title: 'List decisions',
  description:
    'Lists decisions newest first, optionally by status and mode; awaiting_me lists only those waiting for your ruling ' +
    '(on /mcp/board: what the board must decide). Pass next_cursor back as cursor for the next page.',
  input: z.object({
    status: decisionStatus.optional(),
    mode: decisionMode.optional(),
    awaiting_me: z.boolean().default(false),
    limit: z.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  }),
  output: z.object({ decisions: z.array(decision), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) =>
    listDecisions(deps, {
      tenantId: actor.tenantId,
      limit: input.limit,
      ...(input.status ? { status: input.status } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.awaiting_me ? { awaiting: actor.actingAs } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
