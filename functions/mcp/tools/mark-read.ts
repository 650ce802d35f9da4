import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { markRead } from '../../core/messages/messages.js';
import { defineTool } from '../tool.js';

export const markReadTool = defineTool({
  name: 'mark_read',
  title: 'Mark messages read',
  description:
    'Marks messages of your inbox read. Every id must be in your inbox, otherwise nothing is changed and the unknown ids are named. ' +
    'Marking an already-read message is harmless.',
  input: z.object({ message_ids: z.array(z.string().min(1).max(64)).min(1).max(100) }),
  output: z.object({ marked: z.array(z.string()), already_read: z.array(z.string()) }),
  annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) => markRead(deps, { tenantId: actor.tenantId, recipient: actor.actingAs, messageIds: input.message_ids }),
});
