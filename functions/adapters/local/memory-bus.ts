import { randomUUID } from 'node:crypto';
import type { BusEvent } from '../../contracts/events.js';
import type { RuleSpec } from '../../contracts/rules.js';
import { MalformedEventError } from '../../ports/errors.js';
import type { Bus, OutboundEvent } from '../../ports/bus.js';
import { matchesPattern } from './event-pattern.js';

/** Delivers one event to one rule's target; throws to signal failure (retried, then dead-lettered). */
export type Target = (event: BusEvent) => Promise<unknown>;

/** An event that exhausted its retries, or could never be processed. */
export interface DeadLetter {
  readonly rule: string;
  readonly event: BusEvent;
  readonly error: string;
  readonly attempts: number;
}

export interface LocalBusOptions {
  readonly source: string;
  /** The deployed rules (functions/contracts/rules.ts) and the target each one invokes. */
  readonly routes: readonly { rule: Pick<RuleSpec, 'id' | 'pattern'>; target: Target }[];
  /** Attempts per event and rule for transient failures, as EventBridge's retry policy. */
  readonly maxAttempts?: number;
  /** Base backoff between attempts. */
  readonly backoffMs?: number;
  /** Called once per dead letter (log it). */
  readonly onDeadLetter: (letter: DeadLetter) => void;
}

/**
 * The in-process EventBridge: routes each event to every rule whose pattern
 * matches (the same patterns the stack deploys), asynchronously and at least
 * once. Transient failures are retried with backoff; an event that still
 * fails, or is malformed, lands in the dead letters.
 */
export class LocalBus implements Bus {
  readonly deadLetters: DeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly taps = new Set<(event: BusEvent) => void>();

  constructor(private readonly options: LocalBusOptions) {}

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    this.putEvents(events.map((e) => ({ source: this.options.source, detailType: e.detailType, detail: e.detail })));
  }

  /** Accepts events from any source, as PutEvents does for integrators. Returns the event ids. */
  putEvents(entries: readonly { source: string; detailType: string; detail: unknown }[]): string[] {
    return entries.map((entry) => {
      const event: BusEvent = { id: randomUUID(), source: entry.source, 'detail-type': entry.detailType, time: new Date().toISOString(), detail: entry.detail };
      const envelope = { ...event, account: 'local', region: 'local', resources: [] as string[] } as Record<string, unknown>;
      for (const listener of this.taps) listener(event);
      for (const route of this.options.routes) {
        if (!matchesPattern(route.rule.pattern as Record<string, unknown>, envelope)) continue;
        const delivery = this.deliver(route.rule.id, route.target, event);
        this.inFlight.add(delivery);
        void delivery.finally(() => this.inFlight.delete(delivery));
      }
      return event.id;
    });
  }

  /**
   * Delivers an event already accepted once more to every matching rule, with
   * the same id: EventBridge delivers at least once, and tests prove the
   * consumers are idempotent with this.
   */
  redeliver(event: BusEvent): void {
    const envelope = { ...event, account: 'local', region: 'local', resources: [] as string[] } as Record<string, unknown>;
    for (const route of this.options.routes) {
      if (!matchesPattern(route.rule.pattern as Record<string, unknown>, envelope)) continue;
      const delivery = this.deliver(route.rule.id, route.target, event);
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  /** Observes every accepted event (like an archive); returns a function that stops observing. */
  tap(listener: (event: BusEvent) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  /** Resolves when every delivery in flight (including ones they cause) has settled. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(rule: string, target: Target, event: BusEvent): Promise<void> {
    await Promise.resolve(); // deliver after publish returns, as EventBridge does
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await target(event);
        return;
      } catch (error) {
        const permanent = error instanceof MalformedEventError;
        if (permanent || attempt >= maxAttempts) {
          const letter = { rule, event, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), attempts: attempt };
          this.deadLetters.push(letter);
          this.options.onDeadLetter(letter);
          return;
        }
        await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 50) * 2 ** (attempt - 1)));
      }
    }
  }
}
