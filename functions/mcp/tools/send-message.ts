import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { sendMessage } from '../../core/messages/messages.js';
import { defineTool } from '../tool.js';
import { content, messageType, priority, recipient, sendResult, subject } from './messaging-schemas.js';

export const sendMessageTool = defineTool({
  name: 'send_message',
  title: 'Send a message',
  description:
    'Sends a message to another role, the board, or a channel ("all": the nine roles; "leadership": ceo, cto, chro, ' +
    'operations_head). Use type "request" when you need an answer, "notification" to inform, "escalation" to raise something ' +
    'to a superior, "response" to answer. Pass thread_id to continue a conversation (or use reply). Delivery is asynchronous ' +
    'and exactly once per recipient.',
  input: z.object({
    to: recipient.describe('A role id, "board", "all" or "leadership".'),
    subject,
    content,
    type: messageType.default('request'),
    priority: priority.default('normal'),
    thread_id: z.string().min(1).max(64).optional().describe('Continue this thread instead of starting a new one.'),
  }),
  output: sendResult,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) => ({
    ...(await sendMessage(deps, { correlationId }, {
      tenantId: actor.tenantId,
      from: actor.actingAs,
      to: input.to,
      subject: input.subject,
      content: input.content,
      type: input.type,
      priority: input.priority,
      ...(input.thread_id ? { threadId: input.thread_id } : {}),
    })),
    status: 'sent' as const,
  }),
});
