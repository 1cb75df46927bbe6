import { describe, expect, it } from 'vitest';
import {
  createServicePolicy,
  PermanentServiceError,
  TransientServiceError,
  VirtualClock,
} from '../resilience/index.ts';
import { BlockedServices } from './blocked-services.ts';

function setup() {
  const clock = new VirtualClock();
  const policy = createServicePolicy(
    'ElevenLabs',
    {
      retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2, budget: false },
      circuit_breaker: { failure_threshold: 1, recovery_timeout: 10, half_open_timeout: 5 },
    },
    { clock },
  );
  const blocked = new BlockedServices([policy]);
  const call = (outcome: () => Promise<string>) => policy.execute(outcome).catch(() => undefined);
  return { clock, policy, blocked, call };
}

const revoked = () =>
  Promise.reject(
    new PermanentServiceError('401 invalid_api_key', { service: 'ElevenLabs', scope: 'service' }),
  );

describe('blocked services', () => {
  it('stays blocked since the first refusal while trials keep confirming it, even one that never answers', async () => {
    const { clock, policy, blocked, call } = setup();
    const t0 = clock.now();
    await call(revoked);
    expect(blocked.list()).toMatchObject([{ service: 'ElevenLabs', since: t0 }]);
    await clock.advanceTo(policy.nextAttemptAt());
    void call(() => new Promise<string>(() => undefined)); // a trial that never answers
    await clock.advance(5_000);
    expect(policy.circuit()).toMatchObject({ state: 'OPEN', reason: 'probe_timeout' });
    expect(blocked.list()).toMatchObject([{ service: 'ElevenLabs', since: t0 }]);
    await clock.advanceTo(policy.nextAttemptAt());
    await call(revoked);
    expect(blocked.list()).toMatchObject([{ service: 'ElevenLabs', since: t0 }]);
  });

  it('is no longer blocked once the circuit closes or reopens on something time can fix', async () => {
    const { clock, policy, blocked, call } = setup();
    await call(revoked);
    await clock.advanceTo(policy.nextAttemptAt());
    const unavailable = new TransientServiceError('503', { service: 'ElevenLabs' });
    await call(() => Promise.reject(unavailable));
    expect(policy.state).toBe('OPEN');
    expect(blocked.list()).toEqual([]);
    await call(revoked); // refused: the circuit is open
    await clock.advanceTo(policy.nextAttemptAt());
    await call(revoked);
    expect(blocked.list()).toHaveLength(1);
    await clock.advanceTo(policy.nextAttemptAt());
    await call(async () => 'ok');
    expect(policy.state).toBe('CLOSED');
    expect(blocked.list()).toEqual([]);
  });
});
