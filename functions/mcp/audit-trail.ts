import { recordAudit, type AuditEntry } from '../core/audit/audit.js';
import type { Deps } from '../core/context.js';

/**
 * Audit writes taken off the response path: a tool's result goes to the
 * client while its audit entry is being written, and `flush()` waits for
 * every write in flight. The Lambda handler flushes after the response has
 * streamed and before the invocation ends (so Lambda never freezes a write
 * half done); the local server flushes before it stops.
 */
export class AuditTrail {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: Deps) {}

  /** Starts writing an entry (recordAudit retries and logs failures itself; it never rejects). */
  record(entry: AuditEntry): void {
    const write = recordAudit(this.deps, entry).finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves when every entry recorded so far is written (or logged as failed). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
