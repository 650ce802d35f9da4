import * as z from 'zod';
import { BOARD, ENDPOINTS } from '../../contracts/roles.js';
import { queueWithChains } from '../../core/console/awaiting.js';
import { CARD_URI } from '../../web/card/card.js';
import { defineTool } from '../tool.js';
import { decision } from './decision-schemas.js';
import { task } from './workflow-schemas.js';

const chainLink = z.object({
  role: z.enum(ENDPOINTS),
  title: z.string(),
  authority_usd: z.number().nullable(),
  covers_amount: z.boolean().nullable(),
  position: z.enum(['initiator', 'passed', 'awaiting', 'above']),
});

export const boardQueueTool = defineTool({
  name: 'board_queue',
  title: "The board's queue",
  description:
    'What awaits the board: open decisions escalated to it or awaiting its ruling (each with its chain of authority against the amount, and its ' +
    'votes) and its open tasks. In clients that support MCP Apps the result renders as an approval card; rule with rule_on_decision.',
  input: z.object({}),
  output: z.object({ decisions: z.array(decision.extend({ chain: z.array(chainLink) })), tasks: z.array(task) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: [BOARD],
  ui: CARD_URI,
  run: async (_input, { deps, actor }) => queueWithChains(deps, { tenantId: actor.tenantId, viewer: actor.actingAs }),
});
