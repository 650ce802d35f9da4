import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DependencyError } from '../../ports/errors.js';
import type { Bus, OutboundEvent } from '../../ports/bus.js';

/** PutEvents accepts at most 10 entries and 256 KB per call. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 5;

/**
 * The Bus port on EventBridge. Entries are sent in batches within PutEvents'
 * limits; entries the service reports as failed are retried with backoff and,
 * if they still fail, the publish rejects naming them: nothing is dropped silently.
 */
export class EventBridgeBus implements Bus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    const entries = events.map<PutEventsRequestEntry>((e) => ({
      EventBusName: this.busName,
      Source: this.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
    }));
    for (const batch of batches(entries)) await this.send(batch);
  }

  private async send(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      if (!out.FailedEntryCount) return;
      // Results are positional: keep exactly the entries that carry an error code.
      const failed = pending.filter((_, i) => out.Entries?.[i]?.ErrorCode);
      if (attempt >= MAX_ATTEMPTS) {
        const codes = [...new Set(out.Entries?.map((e) => e.ErrorCode).filter(Boolean))].join(', ');
        throw new DependencyError(`${failed.length} event(s) were not accepted by EventBridge after ${attempt} attempts (${codes})`);
      }
      pending = failed;
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)));
    }
  }
}

/** Splits entries into PutEvents calls of at most 10 entries and 256 KB. */
export function batches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > MAX_BATCH_BYTES) throw new DependencyError(`event ${entry.DetailType} is ${size} bytes; EventBridge accepts at most 256 KB`);
    if (current.length === MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** The entry size as EventBridge counts it (UTF-8 bytes of its fields). */
function entrySize(entry: PutEventsRequestEntry): number {
  return (
    Buffer.byteLength(entry.Source ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0) +
    (entry.Time ? 14 : 0)
  );
}
