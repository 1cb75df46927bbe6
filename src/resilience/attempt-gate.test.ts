import { describe, expect, it } from 'vitest';
import { CircuitOpenError, TimeoutError, TransientServiceError } from './errors.ts';
import { createServicePolicy } from './policy-config.ts';
import { setup } from './policy-harness.test-support.ts';
import { RetryBudget } from './retry-budget.ts';
import { partsOf, type AttemptGate } from './service-policy.ts';

/** A gate of `slots` attempts at once that records what it admitted. */
function countingGate(slots: number) {
  let inside = 0;
  const log = { entered: 0, left: 0, most: 0 };
  const waiting: Array<() => void> = [];
  const gate: AttemptGate = {
    enter: (signal) =>
      new Promise((resolve, reject) => {
        const admit = (): void => {
          inside++;
          log.entered++;
          log.most = Math.max(log.most, inside);
          resolve(() => {
            inside--;
            log.left++;
            waiting.shift()?.();
          });
        };
        if (inside < slots) return admit();
        waiting.push(admit);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  return { gate, log };
}

describe('an attempt gate', () => {
  it('admits every attempt, retries included, and is left after each', async () => {
    const { gate, log } = countingGate(1);
    const { policy, drive } = setup({ attemptGate: gate });
    let calls = 0;
    const value = await drive(
      policy.execute(async () => {
        if (++calls < 3) throw new TransientServiceError('503', { service: 'tts' });
        return 'ok';
      }),
    );
    expect(value).toBe('ok');
    expect(log).toEqual({ entered: 3, left: 3, most: 1 });
  });

  it('holds attempts beyond its slots until one leaves', async () => {
    const { gate, log } = countingGate(2);
    const { policy, drive, clock } = setup({ attemptGate: gate });
    const start = clock.now();
    const slow = () => policy.execute(() => clock.sleep(1_000).then(() => 'done'));
    expect(await drive(Promise.all([slow(), slow(), slow(), slow()]))).toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(log.most).toBe(2);
    expect(clock.now() - start).toBe(2_000);
  });

  it('sends nothing when the circuit opened while the call waited at the gate', async () => {
    const { gate } = countingGate(1);
    const { policy, drive, events, clock, trip } = setup({ attemptGate: gate });
    let sent = 0;
    const first = policy.execute(async () => {
      sent++;
      await clock.sleep(1_000);
      return 'first';
    });
    // admitted by a closed breaker, then held by the gate behind the first call
    const waiting = policy
      .execute(async () => {
        sent++;
        return 'second';
      })
      .catch((e: unknown) => e); // it settles while the first is driven
    await clock.runUntil(() => sent === 1);
    trip();
    expect(await drive(first)).toBe('first');
    const error = await drive(waiting);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(sent).toBe(1);
    expect(events.rejected.map((e) => e.reason)).toEqual(['circuit_open']);
    // the breaker counts nothing for it: it did not reach the service
    expect(partsOf(policy).breaker.state).toBe('OPEN');
  });

  it('sends the call that waited when the circuit moved but admits it again', async () => {
    const { gate } = countingGate(1);
    const { policy, drive, clock } = setup({ attemptGate: gate });
    let sent = 0;
    const first = policy.execute(() => (sent++, clock.sleep(1_000).then(() => 'first')));
    const waiting = policy.execute(async () => (sent++, 'second'));
    await clock.runUntil(() => sent === 1);
    partsOf(policy).breaker.open();
    partsOf(policy).breaker.reset();
    expect(await drive(Promise.all([first, waiting]))).toEqual(['first', 'second']);
  });

  it('a call admitted as the half-open probe that the gate lets through once the circuit closed is no probe: a later probe timeout leaves it alone', async () => {
    const { gate } = countingGate(1);
    const { policy, drive, clock, trip } = setup({ attemptGate: gate });
    const breaker = partsOf(policy).breaker;
    // a first call holds the gate's one slot for 20 s
    const first = policy.execute(() => clock.sleep(20_000).then(() => 'first'));
    await clock.advance(0);
    trip();
    await clock.advance(10_000);
    // the circuit half-opens: this call is its probe, and waits at the gate
    let sent = false;
    const second = policy.execute(async (attempt) => {
      sent = true;
      await clock.sleep(60_000, attempt.signal);
      return 'second';
    });
    second.catch(() => undefined); // read below, once the clock has run
    await clock.advance(1_000);
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.reset(); // closed meanwhile (a health check, the fleet)
    await clock.runUntil(() => sent);
    expect(await first).toBe('first');
    // it is sent as an ordinary call; later the circuit opens and half-opens again with
    // another call as its probe, which gets no answer in time
    trip();
    await clock.advance(10_000);
    const third = policy.execute(() => clock.sleep(30_000).then(() => 'third'));
    third.catch(() => undefined);
    await clock.advance(10_000);
    expect(breaker.state).toBe('OPEN'); // the third call's probe timed out
    expect(await drive(second)).toBe('second');
  });

  it('a probe readmitted as the probe of a later half-open state watches that one only', async () => {
    const { gate } = countingGate(1);
    const { policy, drive, clock, trip } = setup({ attemptGate: gate });
    const breaker = partsOf(policy).breaker;
    // count the watchers of the breaker's state that are still subscribed
    let watching = 0;
    const subscribe = breaker.onStateChanged;
    Object.defineProperty(breaker, 'onStateChanged', {
      value: (listener: Parameters<typeof subscribe>[0]) => {
        watching++;
        const off = subscribe(listener);
        return () => {
          watching--;
          off();
        };
      },
    });
    const first = policy.execute(() => clock.sleep(25_000).then(() => 'first'));
    await clock.advance(0);
    trip();
    await clock.advance(10_000);
    const second = policy.execute(async () => 'second'); // the probe, held at the gate
    await clock.advance(1_000);
    breaker.reset();
    trip(); // opened again: it half-opens again by the time the gate lets the probe through
    expect(await drive(Promise.all([first, second]))).toEqual(['first', 'second']);
    expect(breaker.state).toBe('CLOSED');
    expect(watching).toBe(0);
  });

  it('waits within the call: the total deadline ends a wait that never ends', async () => {
    const { gate } = countingGate(0);
    const { policy, drive } = setup({ attemptGate: gate, timeout: { totalMs: 5_000 } });
    const error = await drive(policy.execute(async () => 'never'));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ scope: 'total' });
  });
});

describe('createServicePolicy', () => {
  it('uses the retry budget and attempt gate it is given', async () => {
    const budget = new RetryBudget({ maxTokens: 1, tokenRatio: 0, refillPerSecond: 0 });
    const { gate, log } = countingGate(5);
    const policy = createServicePolicy(
      'tts',
      {
        retry: { max_retries: 3, initial_delay: 0.001, backoff_factor: 1, jitter: 'none' },
        circuit_breaker: { failure_threshold: 5, recovery_timeout: 10 },
      },
      { retryBudget: budget, attemptGate: gate },
    );
    const error = await policy
      .execute(async () => {
        throw new TransientServiceError('503', { service: 'tts' });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientServiceError);
    // one retry, paid from the budget given; then the budget was spent
    expect(log.entered).toBe(2);
    expect(budget.tokens).toBe(0);
  });
});
