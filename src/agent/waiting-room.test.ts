import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, policyForService } from '../config.ts';
import { SqliteCallQueue } from '../queue/index.ts';
import {
  createServicePolicy,
  TransientServiceError,
  VirtualClock,
  type ServicePolicy,
} from '../resilience/index.ts';
import { contactNo } from './flow-harness.test-support.ts';
import { WaitingRoom, type WaitingRoomOptions } from './waiting-room.ts';

/**
 * The waiting room over a real in-memory queue and real policies on a virtual clock: which
 * parked contacts become due, and when.
 */

const RECOVERY_MS = 10_000;
const TICK_MS = 1_000;

const rooms: WaitingRoom[] = [];
afterEach(() => {
  for (const room of rooms.splice(0)) room.stop();
});

async function setup(options: { contacts?: number; halfOpenMaxCalls?: number } = {}) {
  const clock = new VirtualClock();
  const queue = new SqliteCallQueue({ path: ':memory:', clock, maxFailedAttempts: 5 });
  const config = parseConfig({
    retry: { max_retries: 0, jitter: 'none' },
    circuit_breaker: {
      failure_threshold: 1,
      recovery_timeout: RECOVERY_MS / 1000,
      half_open_max_calls: options.halfOpenMaxCalls ?? 1,
    },
  });
  const policy = (service: string): ServicePolicy =>
    createServicePolicy(service, policyForService(config, service), { clock });
  const policies = new Map(['ElevenLabs', 'OpenAI TTS'].map((s) => [s, policy(s)]));
  await queue.enqueue(Array.from({ length: options.contacts ?? 5 }, (_, i) => contactNo(i + 1)));

  /** Claims every due contact and parks it on `service` until released. */
  const parkAll = async (service: string): Promise<string[]> => {
    const parked: string[] = [];
    for (;;) {
      const claimed = await queue.claim('w', 60_000);
      if (!claimed) return parked;
      await queue.defer(claimed.contact.id, claimed.leaseToken, {
        notBefore: clock.now(),
        reason: `${service} circuit OPEN`,
        countsAsFailure: false,
        service,
        untilReleased: true,
      });
      parked.push(claimed.contact.id);
    }
  };
  /** How many parked contacts are due now. */
  const due = async (): Promise<number> => {
    let count = 0;
    const held: Array<{ id: string; token: string }> = [];
    for (;;) {
      const claimed = await queue.claim('probe', 60_000);
      if (!claimed) break;
      count++;
      held.push({ id: claimed.contact.id, token: claimed.leaseToken });
    }
    // put them back as they were: parked again, so the next look starts from the same place
    for (const { id, token } of held) {
      await queue.defer(id, token, {
        notBefore: clock.now(),
        reason: 'looked at',
        countsAsFailure: false,
        service: 'ElevenLabs',
        untilReleased: true,
      });
    }
    return count;
  };
  const released: number[] = [];
  const start = (extra: Partial<WaitingRoomOptions> = {}): void => {
    const room = new WaitingRoom({
      queue,
      policies,
      clock,
      rampMs: 0,
      fullRate: 10,
      tickMs: TICK_MS,
      onReleased: (count) => released.push(count),
      ...extra,
    });
    rooms.push(room);
    room.start((error) => {
      throw error;
    });
  };
  const fail = (service: string) =>
    policies
      .get(service)!
      .execute(() => Promise.reject(new TransientServiceError('503', { service })))
      .catch(() => undefined);
  return { clock, queue, policies, parkAll, due, released, start, fail };
}

describe('the waiting room', () => {
  it('lets the contacts an earlier run left waiting back in at start (its circuits start closed)', async () => {
    const { parkAll, start, released, clock } = await setup();
    expect(await parkAll('ElevenLabs')).toHaveLength(5);
    start();
    await clock.advance(0);
    expect(released).toEqual([5]);
  });

  it('lets in at start the contacts waiting on a service this run does not have', async () => {
    const { parkAll, start, released, clock } = await setup();
    expect(await parkAll('ElevenLabs TTS')).toHaveLength(5); // a name of another version
    start();
    await clock.advance(0);
    expect(released).toEqual([5]);
  });

  it('keeps releasing while a circuit stays closed: a contact parked after the ramp is let in within a tick', async () => {
    const { parkAll, start, released, clock, queue } = await setup({ contacts: 2 });
    start();
    await clock.advance(TICK_MS * 5);
    expect(released).toEqual([]);
    await queue.enqueue([contactNo(9)]);
    expect(await parkAll('ElevenLabs')).toHaveLength(3);
    await clock.advance(TICK_MS);
    expect(released).toEqual([3]);
  });

  it('lets one contact in at the recovery time of an open circuit, none before', async () => {
    const { parkAll, start, due, fail, clock } = await setup();
    start();
    await fail('ElevenLabs');
    await parkAll('ElevenLabs');
    await clock.advance(RECOVERY_MS - 1);
    expect(await due()).toBe(0);
    await clock.advance(1);
    expect(await due()).toBe(1);
  });

  it('lets another trial in when a half-open trial ended without a verdict', async () => {
    const { parkAll, start, released, fail, clock, policies } = await setup();
    start();
    await fail('ElevenLabs');
    await parkAll('ElevenLabs');
    await clock.advance(RECOVERY_MS);
    expect(released).toEqual([1]);
    // the trial contact's call is stopped (the run is interrupted): no verdict, no new state
    const stop = new AbortController();
    const trial = policies
      .get('ElevenLabs')!
      .execute(
        (attempt) =>
          new Promise((_, reject) =>
            attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason)),
          ),
        { signal: stop.signal },
      )
      .catch(() => undefined);
    await clock.advance(0);
    expect(policies.get('ElevenLabs')!.state).toBe('HALF_OPEN');
    stop.abort(new Error('stopped'));
    await trial;
    await clock.advance(TICK_MS);
    expect(policies.get('ElevenLabs')!.state).toBe('HALF_OPEN');
    expect(released).toEqual([1, 1]);
  });

  it('lets the next trial in when a half-open circuit needs more successes', async () => {
    const { parkAll, start, released, fail, clock, policies } = await setup({
      halfOpenMaxCalls: 2,
    });
    start();
    await fail('ElevenLabs');
    await parkAll('ElevenLabs');
    await clock.advance(RECOVERY_MS);
    expect(released).toEqual([2]);
    const elevenLabs = policies.get('ElevenLabs')!;
    await elevenLabs.execute(() => Promise.resolve('ok'));
    expect(elevenLabs.state).toBe('HALF_OPEN');
    await clock.advance(TICK_MS);
    expect(released).toEqual([2, 1]);
  });

  it('lets the contacts waiting on the first voice in when the fallback voice closes', async () => {
    const { parkAll, start, released, fail, clock, policies } = await setup();
    start({ standIns: new Map([['ElevenLabs', ['OpenAI TTS']]]) });
    await fail('ElevenLabs');
    await fail('OpenAI TTS');
    policies.get('ElevenLabs')!.open(); // held open: only the fallback can serve them
    await parkAll('ElevenLabs');
    await clock.advance(RECOVERY_MS);
    // the fallback's trial: one of the contacts waiting on the first voice
    expect(released).toEqual([1]);
    await policies.get('OpenAI TTS')!.execute(() => Promise.resolve('ok'));
    expect(policies.get('OpenAI TTS')!.state).toBe('CLOSED');
    await clock.advance(0);
    expect(released).toEqual([1, 4]);
  });
});
