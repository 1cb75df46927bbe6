import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REJECTED } from '../circuit-breaker.ts';
import { TransientServiceError } from '../errors.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { InMemoryCircuitStateStore, type TrialPermits } from './state-store.ts';

const failure = new TransientServiceError('503', { service: 'tts' });

/**
 * One permit per service shared by every breaker on the store, as a fleet's would be: the
 * first to ask holds it until it gives it back.
 */
class PermitStore extends InMemoryCircuitStateStore {
  readonly owners = new Map<string, object>();
  readonly released: string[] = [];

  constructor(readonly clock: VirtualClock) {
    super();
  }

  trialPermits(service: string): TrialPermits {
    const me = {};
    const held = (): boolean => {
      const owner = this.owners.get(service) ?? me;
      this.owners.set(service, owner);
      return owner === me;
    };
    return {
      held,
      take: held,
      release: () => {
        if (this.owners.get(service) !== me) return;
        this.owners.delete(service);
        this.released.push(service);
      },
      retryAt: () => this.clock.now() + 1_000,
    };
  }
}

async function fleet(size: number) {
  const clock = new VirtualClock();
  const store = new PermitStore(clock);
  const breakers = Array.from(
    { length: size },
    () =>
      new CircuitBreaker({ service: 'tts', failureThreshold: 1, recoveryTimeoutMs: 10_000, clock }),
  );
  for (const breaker of breakers) await breaker.attachStore(store);
  return { clock, store, breakers };
}

describe('trial permits shared through the store', () => {
  it('lets one breaker of the fleet run the half-open trial; the others refuse until its verdict', async () => {
    const { clock, store, breakers } = await fleet(3);
    const [a, b, c] = breakers as [CircuitBreaker, CircuitBreaker, CircuitBreaker];
    a.recordFailure(a.tryAcquire(), failure);
    expect(breakers.map((x) => x.state)).toEqual(['OPEN', 'OPEN', 'OPEN']);
    await clock.advance(10_000);

    const trial = b.tryAcquire();
    expect(trial).not.toBe(REJECTED);
    expect(b.state).toBe('HALF_OPEN');
    // the others share the half-open state, but not the trial
    expect(a.state).toBe('HALF_OPEN');
    expect(a.tryAcquire()).toBe(REJECTED);
    expect(c.tryAcquire()).toBe(REJECTED);
    expect(a.trialsWanted).toBe(0);
    expect(a.nextAttemptAt).toBe(clock.now() + 1_000);
    expect(b.trialsWanted).toBe(0); // its one trial runs

    b.recordSuccess(trial);
    expect(breakers.map((x) => x.state)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);
    expect(store.owners.size).toBe(0);
    expect(store.released).toEqual(['tts']);
  });

  it('asks for the permit before it half-opens: without it an open circuit stays open', async () => {
    const { clock, store, breakers } = await fleet(2);
    const [a, b] = breakers as [CircuitBreaker, CircuitBreaker];
    store.owners.set('tts', {}); // another process holds it
    a.recordFailure(a.tryAcquire(), failure);
    await clock.advance(10_000);
    expect(a.trialsWanted).toBe(0);
    expect(a.tryAcquire()).toBe(REJECTED);
    expect(b.tryAcquire()).toBe(REJECTED);
    expect(a.state).toBe('OPEN');
    expect(a.nextAttemptAt).toBe(clock.now() + 1_000);
    store.owners.delete('tts');
    expect(a.trialsWanted).toBe(1);
  });

  it('gives the permit back when its trial ends without a verdict, and when the circuit moves on', async () => {
    const { clock, store, breakers } = await fleet(2);
    const [a, b] = breakers as [CircuitBreaker, CircuitBreaker];
    a.recordFailure(a.tryAcquire(), failure);
    await clock.advance(10_000);
    a.release(a.tryAcquire());
    expect(store.released).toEqual(['tts']);
    const trial = b.tryAcquire();
    expect(trial).not.toBe(REJECTED);
    b.recordFailure(trial, failure);
    expect(a.state).toBe('OPEN');
    expect(store.released).toEqual(['tts', 'tts']);
  });

  it('a breaker without a shared permit runs its trials alone, as before', async () => {
    const clock = new VirtualClock();
    const store = new InMemoryCircuitStateStore();
    const make = () =>
      new CircuitBreaker({ service: 'tts', failureThreshold: 1, recoveryTimeoutMs: 10_000, clock });
    const [a, b] = [make(), make()];
    await a.attachStore(store);
    await b.attachStore(store);
    a.recordFailure(a.tryAcquire(), failure);
    await clock.advance(10_000);
    expect(a.tryAcquire()).not.toBe(REJECTED);
    expect(b.tryAcquire()).not.toBe(REJECTED);
  });
});
