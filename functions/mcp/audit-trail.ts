import { auditItem, writeAudit, type AuditEntry } from '../core/audit/audit.js';
import type { Deps } from '../core/context.js';
import type { Item } from '../ports/store.js';

/** Entries gathered for at most this long are written in one batch. */
const WINDOW_MS = 5;
const BATCH = 25;

/**
 * Audit writes taken off the response path and batched: a tool's result goes
 * to the client while its entry waits (at most a few milliseconds) to be
 * written together with its neighbours' in one BatchWriteItem. `flush()`
 * writes what is waiting and waits for every write in flight. The Lambda
 * handler flushes after the response has streamed and before the invocation
 * ends (so Lambda never freezes a write half done); the local server flushes
 * before it stops. Entries are stamped when recorded, not when written.
 */
export class AuditTrail {
  private buffer: Item[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: Deps) {}

  /** Queues an entry (writeAudit retries and logs failures itself; nothing here rejects). */
  record(entry: AuditEntry): void {
    this.buffer.push(auditItem(this.deps, entry));
    if (this.buffer.length >= BATCH) this.writeBuffered();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.writeBuffered(), WINDOW_MS);
      this.timer.unref?.();
    }
  }

  /** Resolves when every entry recorded so far is written (or logged as failed). */
  async flush(): Promise<void> {
    this.writeBuffered();
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private writeBuffered(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length) {
      const write = writeAudit(this.deps, this.buffer.splice(0, BATCH)).finally(() => this.pending.delete(write));
      this.pending.add(write);
    }
  }
}
