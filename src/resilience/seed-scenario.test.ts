import { describe, expect, it } from 'vitest';
import { isCircuitOpenError, TransientServiceError } from './errors.ts';
import { HealthChecker } from './health-checker.ts';
import { createServicePolicy } from './policy-config.ts';
import type {
  CallFailedEvent,
  CallRejectedEvent,
  CallSucceededEvent,
  RetryScheduledEvent,
  StateChangedEvent,
} from './policy-events.ts';
import { VirtualClock } from './virtual-clock.ts';
import { partsOf } from './service-policy.ts';

/**
 * The seed's own story, on virtual time: ElevenLabs answers 503, two contacts exhaust their
 * retries, the circuit opens, the third contact is skipped, the health check sees the service
 * back and closes the circuit, and the next call goes through.
 */
describe("the seed's scenario", () => {
  it('retries, opens, skips, recovers through the health check', async () => {
    const clock = new VirtualClock();
    const t0 = clock.now();
    const policy = createServicePolicy(
      'ElevenLabs',
      {
        retry: { max_retries: 3, initial_delay: 5, backoff_factor: 2, jitter: 'none' },
        circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
      },
      { clock },
    );
    const log = {
      retries: [] as RetryScheduledEvent[],
      failed: [] as CallFailedEvent[],
      rejected: [] as CallRejectedEvent[],
      succeeded: [] as CallSucceededEvent[],
      changes: [] as StateChangedEvent[],
    };
    policy.onRetryScheduled((e) => log.retries.push(e));
    policy.onCallFailed((e) => log.failed.push(e));
    policy.onCallRejected((e) => log.rejected.push(e));
    policy.onCallSucceeded((e) => log.succeeded.push(e));
    policy.onStateChanged((e) => log.changes.push(e));

    let up = false;
    let attempts = 0;
    const tts = async (): Promise<string> => {
      attempts++;
      if (!up) {
        throw new TransientServiceError('503 Service Unavailable', {
          service: 'ElevenLabs',
          status: 503,
        });
      }
      return 'audio';
    };
    const checker = new HealthChecker({ interval: 5 }, { clock });
    checker.register(
      'ElevenLabs',
      async () => {
        if (!up) throw new Error('503 Service Unavailable');
      },
      policy,
    );
    checker.start();

    const call = async (contactId: string): Promise<unknown> => {
      let done = false;
      const outcome = policy.execute(tts, { context: { contactId } }).then(
        (v) => v,
        (e: unknown) => e,
      );
      void outcome.then(() => (done = true));
      expect(await clock.runUntil(() => done)).toBe(true);
      return outcome;
    };

    // Contact-1: three retries after 5 s, 10 s, 20 s, then ERROR with the circuit still CLOSED
    await call('Contact-1');
    expect(attempts).toBe(4);
    expect(log.retries.map((e) => [e.retryCount, e.delayMs])).toEqual([
      [1, 5_000],
      [2, 10_000],
      [3, 20_000],
    ]);
    expect(log.failed).toMatchObject([
      {
        service: 'ElevenLabs',
        retryCount: 3,
        circuitState: 'CLOSED',
        gaveUp: 'retries_exhausted',
        durationMs: 35_000,
        error: { message: '503 Service Unavailable', errorClass: 'transient' },
        context: { contactId: 'Contact-1' },
      },
    ]);
    expect(partsOf(policy).breaker.state).toBe('CLOSED');

    // Contact-2: the same, and the second failed call opens the circuit
    await call('Contact-2');
    expect(attempts).toBe(8);
    expect(log.failed[1]).toMatchObject({ retryCount: 3, circuitState: 'OPEN' });
    expect(log.changes).toMatchObject([
      {
        from: 'CLOSED',
        to: 'OPEN',
        reason: 'failure_threshold',
        context: { contactId: 'Contact-2' },
      },
    ]);
    const openedAt = clock.now();
    expect(openedAt - t0).toBe(70_000);

    // Contact-3: skipped at once ("Circuit OPEN. Skipping call.")
    const skipped = await call('Contact-3');
    expect(isCircuitOpenError(skipped)).toBe(true);
    expect(attempts).toBe(8);
    expect(log.rejected).toMatchObject([
      {
        service: 'ElevenLabs',
        reason: 'circuit_open',
        circuitState: 'OPEN',
        context: { contactId: 'Contact-3' },
      },
    ]);

    // the service is back; the next health probe (5 s interval) closes the circuit
    up = true;
    expect(await clock.runUntil(() => partsOf(policy).breaker.state === 'CLOSED')).toBe(true);
    expect(clock.now() - openedAt).toBeLessThanOrEqual(5_000);
    expect(log.changes.at(-1)).toMatchObject({
      from: 'OPEN',
      to: 'CLOSED',
      reason: 'health_check',
    });
    expect(checker.statusOf('ElevenLabs')).toMatchObject({ healthy: true, consecutiveFailures: 0 });

    // the next call succeeds
    expect(await call('Contact-4')).toBe('audio');
    expect(log.succeeded).toMatchObject([
      { retryCount: 0, circuitState: 'CLOSED', context: { contactId: 'Contact-4' } },
    ]);

    await checker.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
