import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE, INTEGRATION_SOURCE } from '../../functions/contracts/events.js';
import { AGENT_ROLES, LEADERSHIP } from '../../functions/contracts/roles.js';
import { RoleClients, startTestConclave } from '../helpers/conclave.js';

type Conclave = Awaited<ReturnType<typeof startTestConclave>>;
interface Inbox {
  threads: { thread_id: string; subject: string; unread: number; messages: { message_id: string; from: string; subject: string; read: boolean; reply_to: string | null }[] }[];
  unread_total_in_page: number;
  next_cursor: string | null;
}

describe('messaging through the bus', () => {
  let conclave: Conclave;
  let roles: RoleClients;
  /** Calls a tool, then waits for the bus to deliver what it published. */
  const call = async (role: (typeof AGENT_ROLES)[number] | 'board', name: string, args: Record<string, unknown>) => {
    const result = await roles.call(role, name, args);
    await conclave.bus.drain();
    return result;
  };
  const inbox = async (role: Parameters<typeof call>[0], args: Record<string, unknown> = {}) =>
    (await call(role, 'read_inbox', args)).structuredContent as unknown as Inbox;
  const allMessages = (page: Inbox) => page.threads.flatMap((t) => t.messages);

  beforeAll(async () => {
    conclave = await startTestConclave();
    roles = await RoleClients.of(conclave, 'acme');
  });
  afterAll(async () => {
    await roles.close();
    await conclave.close();
  });

  it('delivers a direct message once to the recipient only', async () => {
    const sent = await call('product_manager', 'send_message', { to: 'cto', subject: 'Spec ready', content: 'Please review the checkout spec.' });
    expect(sent.structuredContent).toMatchObject({ recipients: ['cto'], status: 'sent' });
    const cto = allMessages(await inbox('cto'));
    expect(cto.filter((m) => m.subject === 'Spec ready')).toHaveLength(1);
    expect(allMessages(await inbox('ceo')).some((m) => m.subject === 'Spec ready')).toBe(false);
  });

  it('delivers a channel message to every member except the sender', async () => {
    await call('ceo', 'broadcast', { channel: 'leadership', subject: 'Offsite', content: 'Offsite on Friday.' });
    for (const role of LEADERSHIP.filter((r) => r !== 'ceo')) {
      expect(allMessages(await inbox(role)).filter((m) => m.subject === 'Offsite'), role).toHaveLength(1);
    }
    expect(allMessages(await inbox('ceo')).some((m) => m.subject === 'Offsite')).toBe(false);
    expect(allMessages(await inbox('test_lead')).some((m) => m.subject === 'Offsite')).toBe(false);
    await call('operations_head', 'send_message', { to: 'all', subject: 'Freeze', content: 'Change freeze starts now.', type: 'notification' });
    for (const role of AGENT_ROLES.filter((r) => r !== 'operations_head')) {
      expect(allMessages(await inbox(role)).filter((m) => m.subject === 'Freeze'), role).toHaveLength(1);
    }
  });

  it('leaves one inbox entry when the same event is delivered twice', async () => {
    const detail = {
      tenant_id: 'acme',
      correlation_id: 'dup-test',
      occurred_at: new Date().toISOString(),
      message_id: '0000000000duplicatetest00',
      from: 'cto',
      to: 'test_lead',
      recipients: ['test_lead'],
      type: 'notification',
      priority: 'normal',
      subject: 'Delivered twice',
      content: 'EventBridge is at least once.',
      thread_id: '0000000000duplicatetest00',
      reply_to: null,
    };
    conclave.bus.putEvents([{ source: EVENT_SOURCE, detailType: 'Message.Sent.v1', detail }]);
    conclave.bus.putEvents([{ source: EVENT_SOURCE, detailType: 'Message.Sent.v1', detail }]);
    await conclave.bus.drain();
    expect(allMessages(await inbox('test_lead')).filter((m) => m.subject === 'Delivered twice')).toHaveLength(1);
  });

  it('sends a malformed event to the dead letters with a clear log, and keeps consuming', async () => {
    const before = conclave.bus.deadLetters.length;
    conclave.bus.putEvents([{ source: EVENT_SOURCE, detailType: 'Message.Sent.v1', detail: { tenant_id: 'acme', subject: 42 } }]);
    await conclave.bus.drain();
    expect(conclave.bus.deadLetters).toHaveLength(before + 1);
    const letter = conclave.bus.deadLetters.at(-1);
    expect(letter).toMatchObject({ rule: 'InboxFanout', attempts: 1 });
    expect(letter?.error).toMatch(/MalformedEventError: .*does not match its contract: .*subject/);
    expect(conclave.log.lines.some((l) => l.level === 'error' && l.message === 'event dead-lettered')).toBe(true);
    await call('cto', 'send_message', { to: 'test_lead', subject: 'Still working', content: 'After the bad event.' });
    expect(allMessages(await inbox('test_lead')).some((m) => m.subject === 'Still working')).toBe(true);
  });

  it('lists unread first, groups by thread, marks read and threads replies', async () => {
    const first = await call('senior_architect', 'send_message', { to: 'senior_developer', subject: 'Design question', content: 'Queue or stream?' });
    const { message_id: firstId, thread_id: threadId } = first.structuredContent as { message_id: string; thread_id: string };
    await call('senior_developer', 'mark_read', { message_ids: [firstId] });
    await call('test_lead', 'send_message', { to: 'senior_developer', subject: 'Flaky test', content: 'checkout.spec is flaky.' });
    const page = await inbox('senior_developer');
    const ordered = allMessages(page);
    expect(ordered[0]?.subject).toBe('Flaky test');
    expect(ordered.find((m) => m.subject === 'Design question')?.read).toBe(true);

    const reply = await call('senior_developer', 'reply', { message_id: firstId, content: 'A stream.' });
    expect(reply.structuredContent).toMatchObject({ thread_id: threadId, recipients: ['senior_architect'] });
    const architect = await inbox('senior_architect');
    const thread = architect.threads.find((t) => t.thread_id === threadId);
    expect(thread?.messages[0]).toMatchObject({ subject: 'Re: Design question', from: 'senior_developer', reply_to: firstId });

    const marked = await call('senior_developer', 'mark_read', { message_ids: [firstId] });
    expect(marked.structuredContent).toEqual({ marked: [], already_read: [firstId] });
    const unread = await inbox('senior_developer', { unread_only: true });
    expect(allMessages(unread).every((m) => !m.read)).toBe(true);
  });

  it('refuses to mark unknown or foreign messages and changes nothing', async () => {
    const sent = await call('ceo', 'send_message', { to: 'chro', subject: 'Hiring plan', content: 'Draft it.' });
    const id = (sent.structuredContent as { message_id: string }).message_id;
    const refused = await call('cto', 'mark_read', { message_ids: [id] });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('not_found');
    const mixed = await call('chro', 'mark_read', { message_ids: [id, 'nope'] });
    expect(mixed.isError).toBe(true);
    expect(allMessages(await inbox('chro')).find((m) => m.message_id === id)?.read).toBe(false);
  });

  it('pages through an inbox without loss or repetition', async () => {
    for (let i = 0; i < 7; i++) await call('cto', 'send_message', { to: 'uiux_engineer', subject: `Mock ${i}`, content: 'Review please.' });
    const firstTwo = allMessages(await inbox('uiux_engineer', { limit: 2 }));
    await call('uiux_engineer', 'mark_read', { message_ids: firstTwo.map((m) => m.message_id) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Inbox = await inbox('uiux_engineer', { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...allMessages(page).map((m) => m.message_id));
      cursor = page.next_cursor;
    } while (cursor);
    const everything = allMessages(await inbox('uiux_engineer', { limit: 100 }));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(everything.map((m) => m.message_id).sort());
    const bad = await call('uiux_engineer', 'read_inbox', { cursor: 'garbage' });
    expect(bad.isError).toBe(true);
  });

  it('turns an inbound integration alert into an escalation for the operations head', async () => {
    conclave.bus.putEvents([
      { source: INTEGRATION_SOURCE, detailType: 'Integration.Alert.v1', detail: { tenant_id: 'acme', severity: 2, title: 'Disk 95%', alert_id: 'disk-1' } },
    ]);
    await conclave.bus.drain();
    const ops = allMessages(await inbox('operations_head'));
    expect(ops.find((m) => m.subject === '[SEV2] Disk 95%')).toMatchObject({ from: 'conclave' });
    // The same alert from a source that is not the integration source is not routed.
    conclave.bus.putEvents([{ source: 'someone.else', detailType: 'Integration.Alert.v1', detail: { tenant_id: 'acme', severity: 2, title: 'Spoof', alert_id: 'x' } }]);
    await conclave.bus.drain();
    expect(allMessages(await inbox('operations_head')).some((m) => m.subject.includes('Spoof'))).toBe(false);
  });

  it('notifies the operations head when an agent enters the error status', async () => {
    await call('senior_developer', 'heartbeat', { status: 'running' });
    await call('senior_developer', 'heartbeat', { status: 'error' });
    await call('senior_developer', 'heartbeat', { status: 'error' });
    const ops = allMessages(await inbox('operations_head'));
    expect(ops.filter((m) => m.subject === 'Agent senior_developer reports an error')).toHaveLength(1);
  });
});
