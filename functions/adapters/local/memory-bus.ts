import type { Bus, OutboundEvent } from '../../ports/bus.js';

/** An event as delivered locally, shaped like an EventBridge event. */
export interface DeliveredEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type Subscriber = (event: DeliveredEvent) => Promise<void> | void;

/**
 * The in-process bus: delivers each published event to every subscriber
 * after publish resolves (asynchronously, as EventBridge does). A failing
 * subscriber is reported through `onError` and does not affect the others.
 */
export class LocalBus implements Bus {
  private readonly subscribers = new Set<Subscriber>();
  private sequence = 0;

  constructor(
    private readonly source: string,
    private readonly onError: (error: unknown, event: DeliveredEvent) => void,
  ) {}

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    const delivered = events.map((e) => ({
      id: `local-${Date.now()}-${++this.sequence}`,
      source: this.source,
      'detail-type': e.detailType,
      time: new Date().toISOString(),
      detail: e.detail,
    }));
    for (const event of delivered) {
      for (const subscriber of this.subscribers) {
        queueMicrotask(() => {
          Promise.resolve()
            .then(() => subscriber(event))
            .catch((error: unknown) => this.onError(error, event));
        });
      }
    }
  }
}
