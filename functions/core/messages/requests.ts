import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { updateRecord } from '../versioned.js';
import { actionableCodec, inboxCodec, requestEntryCodec } from './message-record.js';

/**
 * Requests: inbox messages that ask the recipient to act (a task, a vote, a
 * ruling) carry a request key (`task:<id>`, `decision:<id>`). Delivering one
 * indexes it under its key and in the recipient's actionable list; when the
 * thing is settled, resolveRequests marks every such message, for every
 * recipient, resolved and read, and drops it from the actionable lists. So
 * `read_inbox {actionable: true}` shows exactly what still needs the role.
 */

/** The index entries a request message adds (written with the inbox entry). */
export async function indexRequest(deps: Deps, tenantId: string, requestKey: string, recipient: EndpointId, messageId: string): Promise<void> {
  // Two puts (not putMany): the notifier consumers may only put (CONSUMER_STORE_ACCESS).
  const entry = { request: requestKey, recipient, message_id: messageId };
  await deps.store.put(requestEntryCodec(tenantId).encode(entry));
  await deps.store.put(actionableCodec(tenantId).encode(entry));
}

/**
 * Settles a request: every message that asked for it is marked resolved (and
 * read) in each recipient's inbox and leaves their actionable view. Safe to
 * call repeatedly and for keys that never had a message. Returns how many
 * messages it resolved.
 */
export async function resolveRequests(deps: Deps, tenantId: string, requestKey: string): Promise<number> {
  const page = await deps.store.query({ pk: keys.request(tenantId, requestKey), limit: 100 });
  const at = new Date(deps.clock.now()).toISOString();
  let resolved = 0;
  for (const item of page.items) {
    const { recipient, message_id: messageId } = requestEntryCodec(tenantId).decode(item);
    // Guarded on `read` as read (messages carry no version): a message marked read meanwhile is re-read and settled on the next round.
    const updated = await updateRecord(
      deps.store,
      keys.inboxItem(tenantId, recipient, messageId),
      inboxCodec(tenantId, recipient),
      (message) => (message.resolved === true ? undefined : { ...message, read: true, read_at: message.read_at ?? at, resolved: true, resolved_at: at }),
      { guard: (current) => ({ kind: 'equals', attributes: { read: current.read === true } }), what: `message ${messageId}` },
    );
    if (updated?.changed) resolved++;
    await deps.store.delete(keys.actionableItem(tenantId, recipient, messageId));
    await deps.store.delete({ pk: item.pk, sk: item.sk });
  }
  return resolved;
}

/** The message ids still actionable for a role, newest first (at most `limit`). */
export async function actionableMessageIds(deps: Deps, tenantId: string, recipient: EndpointId, limit: number, cursor?: string): Promise<{ ids: string[]; cursor?: string }> {
  const page = await deps.store.query({ pk: keys.actionable(tenantId, recipient), descending: true, limit, ...(cursor ? { cursor } : {}) });
  const codec = actionableCodec(tenantId);
  return { ids: page.items.map((i) => codec.decode(i).message_id), ...(page.cursor ? { cursor: page.cursor } : {}) };
}
