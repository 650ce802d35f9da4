import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBridgeBus, batches } from '../../functions/adapters/aws/eventbridge-bus.js';
import { EVENT_CONTRACTS, EVENT_SOURCE, buildEvent } from '../../functions/contracts/events.js';
import { DependencyError } from '../../functions/core/errors.js';
import type { OutboundEvent } from '../../functions/ports/bus.js';

const BUS_NAME = 'Conclave-bus';
const KB = 1024;

const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/** `n` valid Message.Sent.v1 events, told apart by message id and subject. */
function messages(n: number): OutboundEvent[] {
  return Array.from({ length: n }, (_, i) =>
    buildEvent('Message.Sent.v1', { ...EVENT_CONTRACTS['Message.Sent.v1'].example, message_id: `msg-${i}`, subject: `subject ${i}` }),
  );
}

/**
 * `n` events with `bytes` of content. The contract caps content far lower, so
 * these skip validation: the adapter enforces EventBridge's limits whatever it is given.
 */
function oversized(n: number, bytes: number): OutboundEvent[] {
  return messages(n).map((e) => ({ ...e, detail: { ...e.detail, content: 'x'.repeat(bytes) } }));
}

/** The entries of every PutEvents call, in call order. */
function sentBatches(): PutEventsRequestEntry[][] {
  return eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
}

function messageIds(entries: readonly PutEventsRequestEntry[]): string[] {
  return entries.map((e) => (JSON.parse(e.Detail ?? '{}') as { message_id: string }).message_id);
}

/**
 * Answers each PutEvents call as EventBridge does: one positional result per
 * entry, an ErrorCode where `fail` names one, and FailedEntryCount.
 */
function respondWith(fail: (entry: PutEventsRequestEntry, call: number) => string | undefined): void {
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    call++;
    const results = (input.Entries ?? []).map<PutEventsResultEntry>((entry, i) => {
      const code = fail(entry, call);
      return code ? { ErrorCode: code, ErrorMessage: `${code} (test)` } : { EventId: `event-${call}-${i}` };
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  });
}

/** Lets pending promise callbacks run (setImmediate is not faked). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('EventBridgeBus', () => {
  const bus = new EventBridgeBus(client, BUS_NAME, EVENT_SOURCE);

  beforeEach(() => {
    eventBridge.reset();
    // Only timeouts are faked: the backoff sleeps, while setImmediate still flushes promises.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(() => {
    eventBridge.restore();
    client.destroy();
  });

  /** Publishes with the backoff timers run to completion. */
  async function publish(events: readonly OutboundEvent[]): Promise<void> {
    const done = bus.publish(events);
    // Observe the outcome now so a rejection is not reported as unhandled while timers run.
    const outcome = done.then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.runAllTimersAsync();
    const error = await outcome;
    if (error !== undefined) throw error;
  }

  it('sends 25 events as 3 PutEvents calls of at most 10 entries, in order, with bus, source, detail-type and detail', async () => {
    respondWith(() => undefined);
    const events = messages(25);
    await publish(events);

    const sent = sentBatches();
    expect(sent.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(sent.flat()).toEqual(
      events.map((e) => ({ EventBusName: BUS_NAME, Source: EVENT_SOURCE, DetailType: 'Message.Sent.v1', Detail: JSON.stringify(e.detail) })),
    );
  });

  it('splits by the 256 KB limit: entries of about 100 KB go at most 2 to a call', async () => {
    respondWith(() => undefined);
    const events = oversized(5, 100 * KB);
    await publish(events);

    const sent = sentBatches();
    expect(sent.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(messageIds(sent.flat())).toEqual(events.map((e) => e.detail.message_id));
    for (const batch of sent) {
      const bytes = batch.reduce((n, e) => n + Buffer.byteLength(e.Source ?? '') + Buffer.byteLength(e.DetailType ?? '') + Buffer.byteLength(e.Detail ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(256 * KB);
    }
  });

  it('rejects an event over 256 KB with a clear error before sending anything', async () => {
    respondWith(() => undefined);
    const error = await publish([...messages(3), ...oversized(1, 257 * KB)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toMatch(/Message\.Sent\.v1 is \d+ bytes; EventBridge accepts at most 256 KB/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('resends only the entries EventBridge reports as failed, after a backoff', async () => {
    // The first call fails positions 1 and 3 (by message id), every later call succeeds.
    respondWith((entry, call) => (call === 1 && ['msg-1', 'msg-3'].includes(messageIds([entry])[0] ?? '') ? 'ThrottlingException' : undefined));
    const events = messages(5);

    const done = bus.publish(events);
    await settle();
    expect(sentBatches()).toHaveLength(1);
    // The retry waits at least half its base delay of 100 ms (jitter is 50–100 %).
    await vi.advanceTimersByTimeAsync(49);
    expect(sentBatches()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(51);
    await done;

    const sent = sentBatches();
    expect(sent).toHaveLength(2);
    expect(messageIds(sent[0] ?? [])).toEqual(['msg-0', 'msg-1', 'msg-2', 'msg-3', 'msg-4']);
    expect(sent[1]).toEqual([sent[0]?.[1], sent[0]?.[3]]);
  });

  it('rejects naming the count and error codes when entries fail on every attempt, never dropping them silently', async () => {
    respondWith((entry) => {
      const [id] = messageIds([entry]);
      if (id === 'msg-2') return 'InternalFailure';
      if (id === 'msg-7') return 'ThrottlingException';
      return undefined;
    });

    const error = await publish(messages(10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toMatch(/^2 event\(s\) were not accepted by EventBridge after 5 attempts \(/);
    expect((error as Error).message).toContain('InternalFailure');
    expect((error as Error).message).toContain('ThrottlingException');

    const sent = sentBatches();
    expect(sent).toHaveLength(5);
    expect(sent.slice(1).map(messageIds)).toEqual(Array.from({ length: 4 }, () => ['msg-2', 'msg-7']));
  });

  it('carries the correlation id of the event detail in every sent Detail, and invents none', async () => {
    respondWith(() => undefined);
    const alert = EVENT_CONTRACTS['Integration.Alert.v1'].example;
    const events: OutboundEvent[] = [
      ...messages(12).map((e, i) => ({ ...e, detail: { ...e.detail, correlation_id: `corr-${i}` } })),
      buildEvent('Integration.Alert.v1', alert),
    ];
    await publish(events);

    const details = sentBatches()
      .flat()
      .map((e) => JSON.parse(e.Detail ?? '{}') as { correlation_id?: string });
    expect(details.slice(0, 12).map((d) => d.correlation_id)).toEqual(Array.from({ length: 12 }, (_, i) => `corr-${i}`));
    expect(details[12]).not.toHaveProperty('correlation_id');
  });
});

describe('batches', () => {
  const entry = (bytes: number): PutEventsRequestEntry => ({ Source: 'conclave', DetailType: 'Memory.Forgotten.v1', Detail: 'x'.repeat(bytes) });
  const overhead = 'conclave'.length + 'Memory.Forgotten.v1'.length;

  it('fills a call up to exactly 256 KB and starts a new one past it', () => {
    const half = 128 * KB - overhead;
    expect(batches([entry(half), entry(half), entry(1)]).map((b) => b.length)).toEqual([2, 1]);
    expect(batches([entry(half), entry(half + 1)]).map((b) => b.length)).toEqual([1, 1]);
  });

  it('accepts an entry of exactly 256 KB and rejects one a byte larger', () => {
    expect(batches([entry(256 * KB - overhead)])).toHaveLength(1);
    expect(() => batches([entry(256 * KB - overhead + 1)])).toThrow(DependencyError);
  });

  it('returns no calls for no entries', () => {
    expect(batches([])).toEqual([]);
  });
});
