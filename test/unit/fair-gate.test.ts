import { afterEach, describe, expect, it, vi } from 'vitest';
import { FairGate, gated } from '../../functions/runtime/fair-gate.js';

/** A piece of work the test finishes by hand. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FairGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at most `slots` at once and starts the rest in arrival order', async () => {
    const gate = new FairGate({ slots: 2, leaseMs: 10_000 });
    const started: number[] = [];
    const work = Array.from({ length: 6 }, () => deferred<number>());
    const runs = work.map((w, i) =>
      gate.run(() => {
        started.push(i);
        return w.promise;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(4);

    work[1]?.resolve(1);
    await settle();
    expect(started).toEqual([0, 1, 2]);
    work[0]?.resolve(0);
    work[2]?.resolve(2);
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    work[3]?.resolve(3);
    work[4]?.resolve(4);
    work[5]?.resolve(5);
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(gate.queued).toBe(0);
  });

  it('gives the slot back when the work fails, and passes the failure on', async () => {
    const gate = new FairGate({ slots: 1, leaseMs: 10_000 });
    const failing = gate.run(() => Promise.reject(new Error('tool failed')));
    const next = gate.run(() => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('tool failed');
    expect(await next).toBe('ran');
  });

  it('never lets one request hold the others back longer than its lease', async () => {
    vi.useFakeTimers();
    const gate = new FairGate({ slots: 1, leaseMs: 50 });
    const slow = deferred<string>();
    const slowRun = gate.run(() => slow.promise);
    let quickStarted = false;
    const quickRun = gate.run(async () => {
      quickStarted = true;
      return 'quick';
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(quickStarted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // The lease ran out: the slow request goes on outside the gate, the next one starts.
    expect(quickStarted).toBe(true);
    expect(await quickRun).toBe('quick');
    slow.resolve('slow');
    expect(await slowRun).toBe('slow');
    // The slow request's late finish does not hand out its slot a second time.
    const a = deferred();
    const b = deferred();
    const order: string[] = [];
    const runA = gate.run(() => (order.push('a'), a.promise));
    const runB = gate.run(() => (order.push('b'), b.promise));
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['a']);
    a.resolve();
    b.resolve();
    await Promise.all([runA, runB]);
    expect(order).toEqual(['a', 'b']);
  });

  it('keeps arrival order across a long queue', async () => {
    const gate = new FairGate({ slots: 1, leaseMs: 10_000 });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) =>
        gate.run(async () => {
          order.push(i);
          await Promise.resolve();
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(gate.queued).toBe(0);
  });

  it('refuses settings that would admit nothing or never release', () => {
    expect(() => new FairGate({ slots: 0, leaseMs: 50 })).toThrow(RangeError);
    expect(() => new FairGate({ slots: 1.5, leaseMs: 50 })).toThrow(RangeError);
    expect(() => new FairGate({ slots: 1, leaseMs: 0 })).toThrow(RangeError);
    expect(() => new FairGate({ slots: 1, leaseMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  it('gates a fetch-style handler without changing its requests or responses', async () => {
    const gate = new FairGate({ slots: 1, leaseMs: 10_000 });
    const handler = gated(async (request) => Response.json({ path: new URL(request.url).pathname, body: await request.text() }), gate);
    const response = await handler(new Request('http://localhost/mcp/ceo', { method: 'POST', body: 'hello' }));
    expect(await response.json()).toEqual({ path: '/mcp/ceo', body: 'hello' });
  });
});
