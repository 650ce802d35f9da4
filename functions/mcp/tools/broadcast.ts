import * as z from 'zod';
import { CHANNELS } from '../../contracts/events.js';
import { ENDPOINTS } from '../../contracts/roles.js';
import { sendMessage } from '../../core/messages/messages.js';
import { defineTool } from '../tool.js';
import { content, priority, sendResult, subject } from './messaging-schemas.js';

export const broadcastTool = defineTool({
  name: 'broadcast',
  title: 'Broadcast to a channel',
  description:
    'Sends a notification to every member of a channel: "all" (the nine roles) or "leadership" (ceo, cto, chro, ' +
    'operations_head). You do not receive your own broadcast. Use it for announcements; use send_message for a request to one role.',
  input: z.object({ channel: z.enum(CHANNELS), subject, content, priority: priority.default('normal') }),
  output: sendResult,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) => ({
    ...(await sendMessage(deps, { correlationId }, {
      tenantId: actor.tenantId,
      from: actor.actingAs,
      to: input.channel,
      subject: input.subject,
      content: input.content,
      type: 'notification',
      priority: input.priority,
    })),
    status: 'sent' as const,
  }),
});
