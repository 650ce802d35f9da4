import type { EndpointId } from '../../functions/contracts/roles.js';
import type { LocalConclave } from '../../functions/runtime/local.js';
import { eventually, type RoleClients } from './conclave.js';

/**
 * A requirements request whose stakeholders answer later: the product
 * manager asks two roles, and `answer()` makes them reply one after the
 * other (what a progress-reporting collect waits for).
 */
export async function pendingRequirements(conclave: LocalConclave, roles: RoleClients) {
  const stakeholders: EndpointId[] = ['cto', 'test_lead'];
  const started = await roles.ok<{ request_id: string; thread_id: string }>('product_manager', 'gather_requirements', {
    feature: 'Saved carts',
    stakeholders,
  });
  await conclave.bus.drain();
  const requests = new Map<EndpointId, string>();
  for (const role of stakeholders) {
    await eventually(async () => {
      const page = await roles.ok<{ threads: { messages: { message_id: string; thread_id: string }[] }[] }>(role, 'read_inbox', { limit: 100 });
      const message = page.threads.flatMap((t) => t.messages).find((m) => m.thread_id === started.thread_id);
      if (!message) throw new Error(`no request in ${role}'s inbox yet`);
      requests.set(role, message.message_id);
    });
  }
  /** Each stakeholder replies `gapMs` after the previous one (the first `gapMs` after the call). */
  const answer = async (gapMs: number) => {
    for (const role of stakeholders) {
      await new Promise((r) => setTimeout(r, gapMs));
      await roles.ok(role, 'reply', { message_id: requests.get(role) as string, content: `${role}: the cart must survive a restart` });
    }
  };
  return { requestId: started.request_id, stakeholders, answer };
}
