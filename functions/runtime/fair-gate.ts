/**
 * Admission in arrival order for a server whose requests all share one event
 * loop (the local server; a Lambda instance serves one request at a time and
 * needs none of this).
 *
 * Without it, every request in flight advances a step at a time in whatever
 * order Node happens to resume them: a request that arrived first can wait
 * behind the steps of all those that arrived after it, and the slowest
 * requests wait twice as long as the median. With a gate, at most `slots`
 * requests run at once and the rest start in the order they came: the
 * server does the same work at the same rate, but each request waits only
 * for those ahead of it, so the tail of the latency distribution closes up.
 *
 * A request that keeps its slot longer than `leaseMs` (a slow upload, a
 * retry's back-off, a tool awaiting something slow) gives the slot up and
 * carries on outside the gate, so no request can hold the others back for
 * more than that.
 */
export interface FairGateOptions {
  /** Requests running at once (at least 1). */
  readonly slots: number;
  /** How long a request may keep its slot, in ms (more than 0). */
  readonly leaseMs: number;
}

export class FairGate {
  private active = 0;
  /** Waiting requests, first at `head`; compacted when the consumed prefix grows. */
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly options: FairGateOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1) throw new RangeError(`slots must be a whole number of at least 1, got ${options.slots}`);
    if (!(options.leaseMs > 0) || !Number.isFinite(options.leaseMs)) throw new RangeError(`leaseMs must be a positive number, got ${options.leaseMs}`);
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `work` once a slot is free, in arrival order; the slot is given back when it settles or its lease runs out, whichever comes first. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.options.slots && this.queued === 0) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(lease);
      this.handOn();
    };
    const lease = setTimeout(release, this.options.leaseMs);
    lease.unref();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Passes a freed slot to the first waiting request, or returns it to the pool. */
  private handOn(): void {
    if (this.head === this.waiting.length) {
      this.active--;
      return;
    }
    const next = this.waiting[this.head] as () => void;
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next();
  }
}

/** `handler` behind a gate: same requests and responses, admitted in arrival order. */
export function gated(handler: (request: Request) => Promise<Response>, gate: FairGate): (request: Request) => Promise<Response> {
  return (request) => gate.run(() => handler(request));
}
