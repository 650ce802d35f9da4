/** One event as the core produces it; the adapter adds source, bus and time. */
export interface OutboundEvent {
  /** A versioned detail-type from functions/contracts/events.ts. */
  readonly detailType: string;
  /** The event body, already validated against its contract. */
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * The message-bus port: EventBridge in AWS, an in-process router locally.
 * Delivery is at least once; consumers must be idempotent.
 */
export interface Bus {
  /**
   * Publishes events. Resolves when every event is accepted by the bus;
   * rejects (after retries) if any could not be, naming how many failed.
   */
  publish(events: readonly OutboundEvent[]): Promise<void>;
}
