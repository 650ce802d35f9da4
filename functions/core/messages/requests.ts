import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';

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
  await deps.store.put({ ...keys.requestEntry(tenantId, requestKey, recipient, messageId), type: 'request_entry', request: requestKey, recipient, message_id: messageId });
  await deps.store.put({ ...keys.actionableItem(tenantId, recipient, messageId), type: 'actionable', request: requestKey, recipient, message_id: messageId });
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
  for (const entry of page.items) {
    const recipient = entry.recipient as EndpointId;
    const messageId = String(entry.message_id);
    const inboxKey = keys.inboxItem(tenantId, recipient, messageId);
    const message = await deps.store.get(inboxKey);
    if (message && message.resolved !== true) {
      const { gsi1pk: _pk, gsi1sk: _sk, ...rest } = message;
      try {
        await deps.store.put({ ...rest, read: true, read_at: message.read_at ?? at, resolved: true, resolved_at: at }, { kind: 'equals', attributes: { read: message.read === true } });
        resolved++;
      } catch (error) {
        // Marked read meanwhile: the next pass (or this one's delete of the actionable entry) still settles it.
        if (!(error instanceof PreconditionFailedError)) throw error;
        const again = await deps.store.get(inboxKey);
        if (again) {
          const { gsi1pk: _p, gsi1sk: _s, ...fresh } = again;
          await deps.store.put({ ...fresh, read: true, resolved: true, resolved_at: at });
          resolved++;
        }
      }
    }
    await deps.store.delete(keys.actionableItem(tenantId, recipient, messageId));
    await deps.store.delete({ pk: entry.pk, sk: entry.sk });
  }
  return resolved;
}

/** The message ids still actionable for a role, newest first (at most `limit`). */
export async function actionableMessageIds(deps: Deps, tenantId: string, recipient: EndpointId, limit: number, cursor?: string): Promise<{ ids: string[]; cursor?: string }> {
  const page = await deps.store.query({ pk: keys.actionable(tenantId, recipient), descending: true, limit, ...(cursor ? { cursor } : {}) });
  return { ids: page.items.map((i) => String(i.message_id)), ...(page.cursor ? { cursor: page.cursor } : {}) };
}
