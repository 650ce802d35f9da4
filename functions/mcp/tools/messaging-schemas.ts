import * as z from 'zod';
import { CHANNELS, MAX_CONTENT_CHARS, MESSAGE_TYPES, PRIORITIES } from '../../contracts/events.js';
import { ENDPOINTS } from '../../contracts/roles.js';

/** Schemas shared by the messaging tools. */
export const recipient = z.enum([...ENDPOINTS, ...CHANNELS]);
export const subject = z.string().trim().min(1).max(200);
export const content = z.string().trim().min(1).max(MAX_CONTENT_CHARS);
export const messageType = z.enum(MESSAGE_TYPES);
export const priority = z.enum(PRIORITIES);

export const sendResult = z.object({
  message_id: z.string(),
  thread_id: z.string(),
  recipients: z.array(z.enum(ENDPOINTS)),
  status: z.literal('sent'),
});

export const inboxMessage = z.object({
  message_id: z.string(),
  from: z.union([z.enum(ENDPOINTS), z.literal('conclave')]),
  to: z.string(),
  type: messageType,
  priority,
  subject: z.string(),
  content: z.string(),
  thread_id: z.string(),
  reply_to: z.string().nullable(),
  correlation_id: z.string(),
  sent_at: z.string(),
  read: z.boolean(),
  actionable: z.boolean().describe('A request (task, vote, ruling) that still needs you; false once it is settled, and for plain messages.'),
});
