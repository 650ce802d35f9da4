import { createHash } from 'node:crypto';
import { buildEvent, type EventDetail } from '../../contracts/events.js';
import { AGENT_ROLES, LEADERSHIP, isEndpointId, type EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { updateRecord } from '../versioned.js';
import { inboxCodec, type InboxRecord, type MessageType, type Priority, type Sender } from './message-record.js';
import { actionableMessageIds, indexRequest } from './requests.js';

export type { Channel, MessageType, Priority, Sender } from './message-record.js';

/** A message as it sits in one recipient's inbox. */
export interface InboxMessage {
  readonly message_id: string;
  readonly from: Sender;
  readonly to: string;
  readonly type: MessageType;
  readonly priority: Priority;
  readonly subject: string;
  readonly content: string;
  readonly thread_id: string;
  readonly reply_to: string | null;
  readonly correlation_id: string;
  readonly sent_at: string;
  readonly read: boolean;
  /** A request (task, vote, ruling) that still needs the recipient; false once settled or for plain messages. */
  readonly actionable: boolean;
}

/** The inboxes a destination resolves to. `all` is the nine roles; `leadership` the four of SPEC.md. */
export function resolveRecipients(to: string): EndpointId[] {
  if (to === 'all') return [...AGENT_ROLES];
  if (to === 'leadership') return [...LEADERSHIP];
  if (isEndpointId(to)) return [to];
  throw new ValidationError(`unknown recipient "${to}": use a role, board, "all" or "leadership"`);
}

export interface SendInput {
  readonly tenantId: string;
  readonly from: EndpointId;
  readonly to: string;
  readonly subject: string;
  readonly content: string;
  readonly type: MessageType;
  readonly priority: Priority;
  readonly threadId?: string;
  readonly replyTo?: string;
  /**
   * What the message asks its recipients to do (a request key such as
   * `decision:<id>`): it is delivered at once, so the request is indexed
   * before the call returns, and stays in their actionable view until that
   * is settled. Message.Sent.v1 still announces it (its fan-out finds it
   * delivered and adds nothing).
   */
  readonly request?: string;
}

export interface SendResult {
  readonly message_id: string;
  readonly thread_id: string;
  readonly recipients: EndpointId[];
}

/**
 * Sends a message: validates it and publishes Message.Sent.v1. The inbox
 * fan-out consumer delivers it; if publishing fails nothing was sent and the
 * call may be retried. A request (`input.request`) is delivered at once too.
 */
export async function sendMessage(deps: Deps, ctx: RequestContext, input: SendInput): Promise<SendResult> {
  const recipients = resolveRecipients(input.to).filter((r) => r !== input.from || input.to === input.from);
  if (recipients.length === 0) throw new ValidationError(`"${input.to}" has no recipient other than you`);
  const messageId = deps.ids.next();
  const threadId = input.threadId ?? messageId;
  const sentAt = new Date(deps.clock.now()).toISOString();
  if (input.request) {
    await deliver(deps, {
      tenantId: input.tenantId,
      messageId,
      from: input.from,
      to: input.to,
      recipients,
      type: input.type,
      priority: input.priority,
      subject: input.subject,
      content: input.content,
      threadId,
      replyTo: input.replyTo ?? null,
      correlationId: ctx.correlationId,
      sentAt,
      request: input.request,
    });
  }
  await deps.bus.publish([
    buildEvent('Message.Sent.v1', {
      tenant_id: input.tenantId,
      correlation_id: ctx.correlationId,
      occurred_at: sentAt,
      message_id: messageId,
      from: input.from,
      to: input.to as EventDetail<'Message.Sent.v1'>['to'],
      recipients,
      type: input.type,
      priority: input.priority,
      subject: input.subject,
      content: input.content,
      thread_id: threadId,
      reply_to: input.replyTo ?? null,
    }),
  ]);
  return { message_id: messageId, thread_id: threadId, recipients };
}

/** Replies in the thread of a message in the replier's inbox, to its sender. */
export async function replyToMessage(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; from: EndpointId; messageId: string; content: string; type: MessageType; priority?: Priority },
): Promise<SendResult> {
  const original = await deps.store.get(keys.inboxItem(input.tenantId, input.from, input.messageId));
  if (!original) throw new NotFoundError(`no message ${input.messageId} in your inbox`);
  const message = toMessage(inboxCodec(input.tenantId, input.from).decode(original));
  if (message.from === 'conclave') throw new ValidationError('system notifications cannot be replied to; act on them instead');
  const subject = message.subject.startsWith('Re: ') ? message.subject : `Re: ${message.subject}`;
  return sendMessage(deps, ctx, {
    tenantId: input.tenantId,
    from: input.from,
    to: message.from,
    subject: subject.slice(0, 200),
    content: input.content,
    type: input.type,
    priority: input.priority ?? message.priority,
    threadId: message.thread_id,
    replyTo: message.message_id,
  });
}

/** A message to deliver to inboxes: from a Message.Sent event or a system notification. */
export interface Delivery {
  readonly tenantId: string;
  readonly messageId: string;
  readonly from: Sender;
  readonly to: string;
  readonly recipients: readonly EndpointId[];
  readonly type: MessageType;
  readonly priority: Priority;
  readonly subject: string;
  readonly content: string;
  readonly threadId: string;
  readonly replyTo: string | null;
  readonly correlationId: string;
  readonly sentAt: string;
  /** What the message asks the recipient to do (`task:<id>`, `decision:<id>`): it stays actionable until that is settled. */
  readonly request?: string;
}

/**
 * Writes a message into each recipient's inbox exactly once: a redelivered
 * event finds the entry present (the id is the message's) and adds nothing.
 */
export async function deliver(deps: Deps, delivery: Delivery): Promise<{ delivered: EndpointId[]; duplicates: EndpointId[] }> {
  const delivered: EndpointId[] = [];
  const duplicates: EndpointId[] = [];
  await Promise.all(
    delivery.recipients.map(async (recipient) => {
      try {
        await deps.store.put(
          inboxCodec(delivery.tenantId, recipient).encode({
            message_id: delivery.messageId,
            from: delivery.from,
            to: delivery.to,
            message_type: delivery.type,
            priority: delivery.priority,
            subject: delivery.subject,
            content: delivery.content,
            thread_id: delivery.threadId,
            reply_to: delivery.replyTo,
            correlation_id: delivery.correlationId,
            sent_at: delivery.sentAt,
            read: false,
            read_at: null,
            request: delivery.request ?? null,
            resolved: delivery.request ? false : null,
            resolved_at: null,
          }),
          { kind: 'absent' },
        );
        if (delivery.request) await indexRequest(deps, delivery.tenantId, delivery.request, recipient, delivery.messageId);
        delivered.push(recipient);
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        duplicates.push(recipient);
      }
    }),
  );
  return { delivered, duplicates };
}

/** The delivery of a Message.Sent.v1 event. */
export function deliveryFromEvent(detail: EventDetail<'Message.Sent.v1'>): Delivery {
  return {
    tenantId: detail.tenant_id,
    messageId: detail.message_id,
    from: detail.from,
    to: detail.to,
    recipients: detail.recipients,
    type: detail.type,
    priority: detail.priority,
    subject: detail.subject,
    content: detail.content,
    threadId: detail.thread_id,
    replyTo: detail.reply_to,
    correlationId: detail.correlation_id,
    sentAt: detail.occurred_at,
  };
}

/**
 * A deterministic, time-ordered message id for a notification derived from
 * an event: the same event (redelivered) yields the same id, so the inbox
 * entry is written once; the time prefix keeps inboxes in time order.
 */
export function notificationId(eventTime: string, eventId: string, recipient: string): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let time = Date.parse(eventTime);
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = alphabet[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const digest = createHash('sha256').update(`${eventId}\u0000${recipient}`).digest();
  return head + Array.from(digest.subarray(0, 16), (b) => alphabet[b % 32]).join('');
}

export interface InboxThread {
  readonly thread_id: string;
  readonly subject: string;
  readonly unread: number;
  readonly messages: InboxMessage[];
}

export interface InboxPage {
  readonly threads: InboxThread[];
  readonly unread_total_in_page: number;
  readonly next_cursor: string | null;
}

interface InboxCursor {
  readonly phase: 'unread' | 'read' | 'actionable';
  readonly inner?: string;
}

/**
 * Reads an inbox: unread messages first (newest first), then read ones
 * unless `unreadOnly`; each page is grouped by thread in order of each
 * thread's newest message. Reading does not mark messages read.
 */
export async function readInbox(
  deps: Deps,
  input: { tenantId: string; recipient: EndpointId; unreadOnly: boolean; limit: number; cursor?: string; actionableOnly?: boolean },
): Promise<InboxPage> {
  if (input.actionableOnly) return readActionable(deps, input);
  let cursor = decodeInboxCursor(input.cursor);
  const codec = inboxCodec(input.tenantId, input.recipient);
  const messages: InboxMessage[] = [];
  while (cursor && messages.length < input.limit) {
    const want = input.limit - messages.length;
    if (cursor.phase === 'unread') {
      const page = await deps.store.query({
        index: 'gsi1',
        pk: keys.unread(input.tenantId, input.recipient),
        descending: true,
        limit: want,
        ...(cursor.inner ? { cursor: cursor.inner } : {}),
      });
      // The index is eventually consistent: re-read each entry so a message read meanwhile is not shown as unread.
      const fresh = await deps.store.getMany(page.items.map((i) => ({ pk: i.pk, sk: i.sk })));
      const byId = new Map(fresh.map((i) => [i.sk, codec.decode(i)]));
      messages.push(...page.items.map((i) => byId.get(i.sk)).filter((m): m is InboxRecord => m?.read === false).map(toMessage));
      cursor = page.cursor ? { phase: 'unread', inner: page.cursor } : input.unreadOnly ? undefined : { phase: 'read' };
    } else {
      const page = await deps.store.query({
        pk: keys.inbox(input.tenantId, input.recipient),
        skPrefix: 'MSG#',
        descending: true,
        limit: Math.max(want, 25),
        ...(cursor.inner ? { cursor: cursor.inner } : {}),
      });
      const read = page.items.map((i) => codec.decode(i)).filter((m) => m.read);
      if (read.length > want) {
        // Stop exactly after the last message returned, so the next page starts right after it.
        const last = keys.inboxItem(input.tenantId, input.recipient, (read[want - 1] as InboxRecord).message_id);
        messages.push(...read.slice(0, want).map(toMessage));
        cursor = { phase: 'read', inner: Buffer.from(JSON.stringify({ pk: last.pk, sk: last.sk })).toString('base64url') };
        break;
      }
      messages.push(...read.map(toMessage));
      cursor = page.cursor ? { phase: 'read', inner: page.cursor } : undefined;
    }
  }
  return {
    threads: groupByThread(messages),
    unread_total_in_page: messages.filter((m) => !m.read).length,
    next_cursor: cursor ? Buffer.from(JSON.stringify(cursor)).toString('base64url') : null,
  };
}

/**
 * Marks messages of the caller's inbox read. All ids must exist in that
 * inbox; otherwise nothing is changed. Marking a read message again is a no-op.
 */
export async function markRead(deps: Deps, input: { tenantId: string; recipient: EndpointId; messageIds: readonly string[] }): Promise<{ marked: string[]; already_read: string[] }> {
  const ids = [...new Set(input.messageIds)];
  const codec = inboxCodec(input.tenantId, input.recipient);
  const items = await deps.store.getMany(ids.map((id) => keys.inboxItem(input.tenantId, input.recipient, id)));
  const found = new Map(items.map((i) => codec.decode(i)).map((m) => [m.message_id, m]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new NotFoundError(`not in your inbox: ${missing.join(', ')}; nothing was marked`);
  const marked: string[] = [];
  const alreadyRead: string[] = [];
  const at = new Date(deps.clock.now()).toISOString();
  await Promise.all(
    ids.map(async (id) => {
      if (found.get(id)?.read) {
        alreadyRead.push(id);
        return;
      }
      // Guarded on `read` as read (messages carry no version): one marked it read meanwhile → already read.
      const updated = await updateRecord(deps.store, keys.inboxItem(input.tenantId, input.recipient, id), codec, (m) => (m.read ? undefined : { ...m, read: true, read_at: at }), {
        guard: (current) => ({ kind: 'equals', attributes: { read: current.read === true } }),
        what: `message ${id}`,
      });
      (updated?.changed ? marked : alreadyRead).push(id);
    }),
  );
  return { marked: ids.filter((id) => marked.includes(id)), already_read: ids.filter((id) => alreadyRead.includes(id)) };
}

function groupByThread(messages: InboxMessage[]): InboxThread[] {
  const threads = new Map<string, InboxMessage[]>();
  for (const m of messages) threads.set(m.thread_id, [...(threads.get(m.thread_id) ?? []), m]);
  return [...threads.entries()].map(([thread_id, list]) => ({
    thread_id,
    subject: (list[list.length - 1] as InboxMessage).subject,
    unread: list.filter((m) => !m.read).length,
    messages: list,
  }));
}

function decodeInboxCursor(cursor: string | undefined): InboxCursor | undefined {
  if (cursor === undefined) return { phase: 'unread' };
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as InboxCursor;
    if ((parsed.phase === 'unread' || parsed.phase === 'read' || parsed.phase === 'actionable') && (parsed.inner === undefined || typeof parsed.inner === 'string')) return parsed;
  } catch {
    // fall through
  }
  throw new ValidationError('invalid cursor: pass back next_cursor from the previous page unchanged');
}

function toMessage(m: InboxRecord): InboxMessage {
  return {
    message_id: m.message_id,
    from: m.from,
    to: m.to,
    type: m.message_type,
    priority: m.priority,
    subject: m.subject,
    content: m.content,
    thread_id: m.thread_id,
    reply_to: m.reply_to,
    correlation_id: m.correlation_id,
    sent_at: m.sent_at,
    read: m.read,
    actionable: m.request !== null && m.resolved !== true,
  };
}

/** `read_inbox {actionable: true}`: the requests that still need this role (read or not), newest first. */
async function readActionable(deps: Deps, input: { tenantId: string; recipient: EndpointId; limit: number; cursor?: string }): Promise<InboxPage> {
  let inner: string | undefined;
  if (input.cursor !== undefined) {
    const parsed = decodeInboxCursor(input.cursor) as { phase: string; inner?: string } | undefined;
    if (parsed?.phase !== 'actionable') throw new ValidationError('invalid cursor: pass back next_cursor from the previous page unchanged');
    inner = parsed.inner;
  }
  const page = await actionableMessageIds(deps, input.tenantId, input.recipient, input.limit, inner);
  const items = page.ids.length ? await deps.store.getMany(page.ids.map((id) => keys.inboxItem(input.tenantId, input.recipient, id))) : [];
  const codec = inboxCodec(input.tenantId, input.recipient);
  const messages = items.map((i) => toMessage(codec.decode(i))).filter((m) => m.actionable).sort((a, b) => b.message_id.localeCompare(a.message_id));
  return {
    threads: groupByThread(messages),
    unread_total_in_page: messages.filter((m) => !m.read).length,
    next_cursor: page.cursor ? Buffer.from(JSON.stringify({ phase: 'actionable', inner: page.cursor })).toString('base64url') : null,
  };
}
