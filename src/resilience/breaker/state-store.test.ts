import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REJECTED } from '../circuit-breaker.ts';
import { TransientServiceError } from '../errors.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { InMemoryCircuitStateStore, type CircuitSnapshot } from './state-store.ts';

const failure = new TransientServiceError('503', { service: 'crm' });

function breakerOn(clock: VirtualClock): CircuitBreaker {
  return new CircuitBreaker({
    service: 'crm',
    failureThreshold: 2,
    recoveryTimeoutMs: 10_000,
    clock,
  });
}

function failTwice(breaker: CircuitBreaker): void {
  breaker.recordFailure(breaker.tryAcquire(), failure);
  breaker.recordFailure(breaker.tryAcquire(), failure);
}

describe('circuit snapshot', () => {
  it('survives a JSON round trip and restores the open circuit, open period included', async () => {
    const clock = new VirtualClock();
    const a = breakerOn(clock);
    failTwice(a);
    const openedAt = clock.now();
    await clock.advance(4_000);
    const json = JSON.stringify(a.snapshot());
    const parsed = JSON.parse(json) as CircuitSnapshot;
    expect(parsed).toEqual({
      service: 'crm',
      state: 'OPEN',
      openedAt,
      consecutiveFailures: 2,
      updatedAt: openedAt,
      reason: 'failure_threshold',
      held: false,
      error: {
        errorClass: 'transient',
        code: 'E_TRANSIENT',
        name: 'TransientServiceError',
        message: '503',
      },
    });
    const b = breakerOn(clock);
    b.restore(parsed);
    expect(b.state).toBe('OPEN');
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.tryAcquire()).toBe(REJECTED);
    await clock.advance(6_000); // the open period ends 10 s after the first breaker opened
    expect(b.tryAcquire()).not.toBe(REJECTED);
    expect(b.state).toBe('HALF_OPEN');
  });

  it('a closed snapshot round-trips too (openedAt is dropped by JSON)', () => {
    const clock = new VirtualClock();
    const a = breakerOn(clock);
    a.recordFailure(a.tryAcquire(), failure);
    const parsed = JSON.parse(JSON.stringify(a.snapshot())) as CircuitSnapshot;
    expect(parsed).toEqual({
      service: 'crm',
      state: 'CLOSED',
      consecutiveFailures: 1,
      updatedAt: 0,
      held: false,
    });
  });

  it('ignores a snapshot older than its own state', async () => {
    const clock = new VirtualClock();
    const a = breakerOn(clock);
    const stale = { ...a.snapshot() };
    await clock.advance(1_000);
    failTwice(a);
    a.restore({ ...stale, updatedAt: clock.now() - 1 });
    expect(a.state).toBe('OPEN');
  });
});

describe('InMemoryCircuitStateStore', () => {
  it('two breakers attached to one store share an open circuit and its reset', async () => {
    const clock = new VirtualClock();
    const store = new InMemoryCircuitStateStore();
    const a = breakerOn(clock);
    const b = breakerOn(clock);
    const reasons: string[] = [];
    b.onStateChanged((e) => reasons.push(`${e.to}:${e.reason}`));
    await a.attachStore(store);
    const detachB = await b.attachStore(store);
    await clock.advance(1);
    failTwice(a);
    expect(a.state).toBe('OPEN');
    expect(b.state).toBe('OPEN');
    expect(b.tryAcquire()).toBe(REJECTED);
    expect(store.load('crm')?.state).toBe('OPEN');
    // "newer wins" compares timestamps: two transitions in one millisecond are not told apart
    await clock.advance(1);
    a.reset();
    expect(b.state).toBe('CLOSED');
    expect(reasons).toEqual(['OPEN:shared_state', 'CLOSED:shared_state']);
    // once detached, b goes its own way
    detachB();
    await clock.advance(1);
    failTwice(a);
    expect(b.state).toBe('CLOSED');
  });

  it('a breaker attached later adopts the stored open state', async () => {
    const clock = new VirtualClock();
    const store = new InMemoryCircuitStateStore();
    const a = breakerOn(clock);
    await a.attachStore(store);
    await clock.advance(1);
    failTwice(a);
    const late = breakerOn(clock);
    await late.attachStore(store);
    expect(late.state).toBe('OPEN');
    expect(late.snapshot().openedAt).toBe(a.snapshot().openedAt);
  });

  it('keeps the newer snapshot and hands out copies', () => {
    const store = new InMemoryCircuitStateStore();
    const newer: CircuitSnapshot = {
      service: 'crm',
      state: 'OPEN',
      openedAt: 2,
      consecutiveFailures: 2,
      updatedAt: 2,
    };
    store.save(newer);
    store.save({ ...newer, state: 'CLOSED', openedAt: undefined, updatedAt: 1 });
    const loaded = store.load('crm');
    expect(loaded).toEqual({ ...newer, version: 1 });
    loaded!.state = 'CLOSED';
    expect(store.load('crm')?.state).toBe('OPEN');
    expect(store.load('tts')).toBeUndefined();
  });
});

describe('shared state in one millisecond', () => {
  it('two changes in the same millisecond reach every breaker in order', async () => {
    const clock = new VirtualClock();
    const store = new InMemoryCircuitStateStore();
    const a = breakerOn(clock);
    const b = breakerOn(clock);
    await a.attachStore(store);
    await b.attachStore(store);
    a.open();
    a.reset(); // same clock time as the open
    expect(store.load('crm')?.state).toBe('CLOSED');
    expect(b.state).toBe('CLOSED');
  });
});
