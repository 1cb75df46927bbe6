import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { CircuitBreaker, REJECTED } from '../circuit-breaker.ts';
import { TransientServiceError } from '../errors.ts';
import { onListenerError } from '../events.ts';
import type { CircuitStoreErrorEvent } from '../policy-events.ts';
import { VirtualClock } from '../virtual-clock.ts';
import type { CircuitSnapshot, CircuitStateStore } from './state-store.ts';

const failure = new TransientServiceError('503', { service: 'crm' });
/** Lets a rejection that nobody handles reach the process's unhandledRejection event. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => void process.off('unhandledRejection', onUnhandled));

function setup() {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({
    service: 'crm',
    failureThreshold: 1,
    recoveryTimeoutMs: 10_000,
    clock,
  });
  const storeErrors: CircuitStoreErrorEvent[] = [];
  breaker.onStoreError((e) => storeErrors.push(e));
  const listenerErrors: unknown[] = [];
  const offListenerErrors = onListenerError((error) => listenerErrors.push(error));
  onTestFinished(offListenerErrors);
  return { clock, breaker, storeErrors, listenerErrors };
}

describe('a circuit state store that fails', () => {
  it('a save that rejects is reported, never left unhandled, and the breaker goes on', async () => {
    const { breaker, storeErrors } = setup();
    const store: CircuitStateStore = {
      load: () => undefined,
      save: () => Promise.reject(new Error('redis: connection lost')),
    };
    await breaker.attachStore(store);
    breaker.recordFailure(breaker.tryAcquire(), failure);
    await settle();
    expect(unhandled).toEqual([]);
    expect(breaker.state).toBe('OPEN');
    expect(breaker.tryAcquire()).toBe(REJECTED);
    expect(storeErrors).toMatchObject([
      { service: 'crm', operation: 'save', error: { message: 'redis: connection lost' } },
    ]);
  });

  it('a save that throws is reported as a store error, not as a listener error', async () => {
    const { breaker, storeErrors, listenerErrors } = setup();
    await breaker.attachStore({
      load: () => undefined,
      save: () => {
        throw new Error('disk full');
      },
    });
    breaker.recordFailure(breaker.tryAcquire(), failure);
    expect(breaker.state).toBe('OPEN');
    expect(listenerErrors).toEqual([]);
    expect(storeErrors).toMatchObject([{ operation: 'save', error: { message: 'disk full' } }]);
  });

  it('a load that rejects is reported; the breaker attaches and saves all the same', async () => {
    const { breaker, storeErrors } = setup();
    const saved: CircuitSnapshot[] = [];
    const attaching = breaker.attachStore({
      load: () => Promise.reject(new Error('redis: timeout')),
      save: (snapshot) => void saved.push(snapshot),
    });
    await expect(attaching).resolves.toBeTypeOf('function');
    expect(storeErrors).toMatchObject([
      { operation: 'load', error: { message: 'redis: timeout' } },
    ]);
    breaker.recordFailure(breaker.tryAcquire(), failure);
    expect(saved.map((s) => s.state)).toEqual(['OPEN']);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
