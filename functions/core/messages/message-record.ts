import type { CHANNELS, MESSAGE_TYPES, PRIORITIES } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

export type Channel = (typeof CHANNELS)[number];
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type Priority = (typeof PRIORITIES)[number];
/** Who a message is from: an endpoint, or Conclave itself for system notifications. */
export type Sender = EndpointId | 'conclave';

/**
 * The stored entities of messaging as typed records: a message in one
 * recipient's inbox, and the two index entries of a request message (by
 * request, and in the recipient's actionable list). Their items carry no
 * tenant or recipient (the key does), so each codec is made for one inbox.
 */

/** A message as stored in one recipient's inbox (written once per recipient; unread ones are in the sparse UNREAD index). */
export interface InboxRecord {
  readonly message_id: string;
  readonly from: Sender;
  readonly to: string;
  readonly message_type: MessageType;
  readonly priority: Priority;
  readonly subject: string;
  readonly content: string;
  readonly thread_id: string;
  readonly reply_to: string | null;
  readonly correlation_id: string;
  readonly sent_at: string;
  readonly read: boolean;
  readonly read_at: string | null;
  /** What the message asks the recipient to do (`task:<id>`, `decision:<id>`), if anything. */
  readonly request: string | null;
  /** A request that was settled (then it is read too). */
  readonly resolved: boolean | null;
  readonly resolved_at: string | null;
}

/** The codec of one inbox's messages: an unread message carries the UNREAD index keys, a read one does not. */
export function inboxCodec(tenantId: string, recipient: EndpointId): Codec<InboxRecord> {
  return {
    decode: (i) => ({
      message_id: field.reqStr(i, 'message_id'),
      from: field.oneOf<Sender>(i, 'from', 'conclave'),
      to: field.str(i, 'to'),
      message_type: field.oneOf<MessageType>(i, 'message_type', 'notification'),
      priority: field.oneOf<Priority>(i, 'priority', 'normal'),
      subject: field.str(i, 'subject'),
      content: field.str(i, 'content'),
      thread_id: field.str(i, 'thread_id'),
      reply_to: field.strOrNull(i, 'reply_to'),
      correlation_id: field.str(i, 'correlation_id'),
      sent_at: field.str(i, 'sent_at'),
      read: field.bool(i, 'read'),
      read_at: field.strOrNull(i, 'read_at'),
      request: field.strOrNull(i, 'request'),
      resolved: field.boolOrNull(i, 'resolved'),
      resolved_at: field.strOrNull(i, 'resolved_at'),
    }),
    encode: (m) => {
      const key = keys.inboxItem(tenantId, recipient, m.message_id);
      const { read_at, request, resolved, resolved_at, ...always } = m;
      return {
        ...key,
        ...(m.read ? {} : { gsi1pk: keys.unread(tenantId, recipient), gsi1sk: key.sk }),
        type: 'message',
        ...always,
        ...(read_at !== null ? { read_at } : {}),
        ...(request !== null ? { request } : {}),
        ...(resolved !== null ? { resolved } : {}),
        ...(resolved_at !== null ? { resolved_at } : {}),
      };
    },
  };
}

/** One index entry of a request message: under the request (to settle it) or in the recipient's actionable list. */
export interface RequestEntry {
  readonly request: string;
  readonly recipient: EndpointId;
  readonly message_id: string;
}

function decodeEntry(i: Parameters<Codec<RequestEntry>['decode']>[0]): RequestEntry {
  return { request: field.reqStr(i, 'request'), recipient: field.oneOf<EndpointId>(i, 'recipient', 'board'), message_id: field.reqStr(i, 'message_id') };
}

/** The entry under the request's key, one per recipient and message. */
export function requestEntryCodec(tenantId: string): Codec<RequestEntry> {
  return {
    decode: decodeEntry,
    encode: (e) => ({ ...keys.requestEntry(tenantId, e.request, e.recipient, e.message_id), type: 'request_entry', ...e }),
  };
}

/** The entry in the recipient's actionable list. */
export function actionableCodec(tenantId: string): Codec<RequestEntry> {
  return {
    decode: decodeEntry,
    encode: (e) => ({ ...keys.actionableItem(tenantId, e.recipient, e.message_id), type: 'actionable', ...e }),
  };
}
