import { describe, expect, it } from 'vitest';
import { Bulkhead } from './bulkhead.ts';
import { isBulkheadRejectedError } from './errors.ts';
import type { CallRejectedEvent } from './policy-events.ts';
import { partsOf, ServicePolicy } from './service-policy.ts';
import { VirtualClock } from './virtual-clock.ts';

/** A promise with its resolve function, for callees the test finishes by hand. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Bulkhead', () => {
  it('admits max_concurrent at once, queues up to max_queue, rejects the rest', async () => {
    const bulkhead = new Bulkhead({ service: 'tts', maxConcurrent: 2, maxQueue: 1 });
    await bulkhead.enter();
    await bulkhead.enter();
    const waiting = bulkhead.enter();
    expect(bulkhead.active).toBe(2);
    expect(bulkhead.queued).toBe(1);
    const refused = await bulkhead.enter().catch((e: unknown) => e);
    expect(isBulkheadRejectedError(refused)).toBe(true);
    expect(refused).toMatchObject({ service: 'tts', code: 'E_BULKHEAD_REJECTED' });
    bulkhead.release();
    await waiting;
    expect(bulkhead.active).toBe(2);
    expect(bulkhead.queued).toBe(0);
    bulkhead.release();
    bulkhead.release();
    expect(bulkhead.active).toBe(0);
  });

  it('a released slot goes to the oldest waiter', async () => {
    const bulkhead = new Bulkhead({ service: 'tts', maxConcurrent: 1, maxQueue: 10 });
    await bulkhead.enter();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => bulkhead.enter().then(() => order.push(n)));
    for (let i = 0; i < 3; i++) {
      bulkhead.release();
      await tick();
    }
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    // a newcomer cannot jump the queue while a slot is being handed over
    expect(bulkhead.tryEnter()).toBe(false);
  });

  it('a queued caller whose signal aborts leaves the queue', async () => {
    const bulkhead = new Bulkhead({ service: 'tts', maxConcurrent: 1, maxQueue: 2 });
    await bulkhead.enter();
    const controller = new AbortController();
    const leaving = bulkhead.enter(controller.signal);
    const staying = bulkhead.enter();
    expect(bulkhead.queued).toBe(2);
    controller.abort(new Error('caller gave up'));
    await expect(leaving).rejects.toThrow('caller gave up');
    expect(bulkhead.queued).toBe(1);
    bulkhead.release();
    await staying; // the slot went to the caller still waiting
    expect(bulkhead.active).toBe(1);
    expect(bulkhead.queued).toBe(0);
  });

  it('refuses at once a caller whose signal is already aborted', async () => {
    const bulkhead = new Bulkhead({ service: 'tts', maxConcurrent: 1, maxQueue: 2 });
    await bulkhead.enter();
    await expect(bulkhead.enter(AbortSignal.abort(new Error('no')))).rejects.toThrow('no');
    expect(bulkhead.queued).toBe(0);
  });
});

describe('bulkhead in a service policy', () => {
  it('queue full → BulkheadRejectedError and a CallRejectedEvent bulkhead_full', async () => {
    const clock = new VirtualClock();
    const policy = new ServicePolicy({
      service: 'tts',
      clock,
      retry: { maxRetries: 0, initialDelayMs: 1_000, backoffFactor: 2 },
      circuitBreaker: { failureThreshold: 5, recoveryTimeoutMs: 10_000 },
      bulkhead: { maxConcurrent: 2, maxQueue: 1 },
    });
    const rejected: CallRejectedEvent[] = [];
    policy.onCallRejected((e) => rejected.push(e));
    const gates = [gate<string>(), gate<string>(), gate<string>()];
    let calls = 0;
    const run = (i: number): Promise<string> =>
      policy.execute(
        () => {
          calls++;
          return gates[i]!.promise;
        },
        { context: { contactId: `c${i}` } },
      );
    const first = run(0);
    const second = run(1);
    const third = run(2); // waits
    const fourth = run(0).catch((e: unknown) => e);
    await tick();
    expect(calls).toBe(2);
    expect(isBulkheadRejectedError(await fourth)).toBe(true);
    expect(rejected).toMatchObject([
      {
        service: 'tts',
        reason: 'bulkhead_full',
        circuitState: 'CLOSED',
        context: { contactId: 'c0' },
      },
    ]);
    gates[0]!.open('one');
    expect(await first).toBe('one');
    await tick();
    expect(calls).toBe(3); // the freed slot went to the waiting call
    gates[1]!.open('two');
    gates[2]!.open('three');
    expect(await Promise.all([second, third])).toEqual(['two', 'three']);
    expect(partsOf(policy).bulkhead.active).toBe(0);
  });

  it('a caller that aborts while queued is not run and frees its queue place', async () => {
    const clock = new VirtualClock();
    const policy = new ServicePolicy({
      service: 'tts',
      clock,
      retry: { maxRetries: 0, initialDelayMs: 1_000, backoffFactor: 2 },
      circuitBreaker: { failureThreshold: 5, recoveryTimeoutMs: 10_000 },
      bulkhead: { maxConcurrent: 1, maxQueue: 1 },
    });
    const busy = gate<number>();
    let calls = 0;
    const running = policy.execute(() => {
      calls++;
      return busy.promise;
    });
    const controller = new AbortController();
    const queued = policy.execute(async () => calls++, { signal: controller.signal });
    expect(partsOf(policy).bulkhead.queued).toBe(1);
    controller.abort(new Error('hung up'));
    await expect(queued).rejects.toThrow('hung up');
    expect(partsOf(policy).bulkhead.queued).toBe(0);
    busy.open(7);
    expect(await running).toBe(7);
    expect(calls).toBe(1);
    expect(partsOf(policy).bulkhead.active).toBe(0);
  });
});
