import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { readInbox } from '../../core/messages/messages.js';
import { defineTool } from '../tool.js';
import { inboxMessage } from './messaging-schemas.js';

export const readInboxTool = defineTool({
  name: 'read_inbox',
  title: 'Read your inbox',
  description:
    'Reads your inbox: unread messages first (newest first), then read ones unless unread_only, grouped by thread. ' +
    'Reading does not mark messages read: call mark_read once you have handled them. Pass next_cursor back as cursor for the next page. ' +
    'actionable: true shows only what still needs you — requests (tasks, votes, rulings) not yet settled, read or not; a request leaves this view for every recipient once its task or decision closes.',
  input: z.object({
    unread_only: z.boolean().default(false),
    actionable: z.boolean().default(false).describe('Only requests that still need you (open tasks, votes, rulings).'),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  }),
  output: z.object({
    threads: z.array(z.object({ thread_id: z.string(), subject: z.string(), unread: z.number().int(), messages: z.array(inboxMessage) })),
    unread_total_in_page: z.number().int(),
    next_cursor: z.string().nullable(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) =>
    readInbox(deps, {
      tenantId: actor.tenantId,
      recipient: actor.actingAs,
      unreadOnly: input.unread_only,
      actionableOnly: input.actionable,
      limit: input.limit,
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
