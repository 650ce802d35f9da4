import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { replyToMessage } from '../../core/messages/messages.js';
import { defineTool } from '../tool.js';
import { content, messageType, priority, sendResult } from './messaging-schemas.js';

export const replyTool = defineTool({
  name: 'reply',
  title: 'Reply to a message',
  description:
    "Replies to a message in your inbox: the reply goes to its sender, in the same thread, with subject \"Re: …\". " +
    'Defaults to type "response" and the original priority.',
  input: z.object({
    message_id: z.string().min(1).max(64).describe('The message_id from read_inbox.'),
    content,
    type: messageType.default('response'),
    priority: priority.optional(),
  }),
  output: sendResult,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) => ({
    ...(await replyToMessage(deps, { correlationId }, {
      tenantId: actor.tenantId,
      from: actor.actingAs,
      messageId: input.message_id,
      content: input.content,
      type: input.type,
      ...(input.priority ? { priority: input.priority } : {}),
    })),
    status: 'sent' as const,
  }),
});
