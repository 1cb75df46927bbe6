import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createServicePolicy,
  PermanentServiceError,
  TransientServiceError,
  VirtualClock,
  type CircuitSnapshot,
  type PolicyConfig,
  type ServicePolicy,
} from '../resilience/index.ts';
import { SqliteCallQueue } from './sqlite-call-queue.ts';

const dir = mkdtempSync(join(tmpdir(), 'circuit-store-'));
let files = 0;
const freshPath = (): string => join(dir, `queue-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config: PolicyConfig = {
  retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2, budget: false },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
};

/** The service `tts` as one process sees it, its breaker on the queue file at `path`. */
async function processOn(path: string, clock: VirtualClock) {
  const queue = new SqliteCallQueue({ path, clock });
  const policy = createServicePolicy('tts', config, { clock });
  await policy.attachStore(queue.circuitStateStore());
  return { queue, policy };
}

async function failCall(policy: ServicePolicy, error: unknown): Promise<void> {
  await policy
    .execute(() => Promise.reject(error))
    .catch((caught: unknown) => {
      if (caught !== error) throw caught;
    });
}

const unavailable = new TransientServiceError('503 Service Unavailable', { service: 'tts' });

describe('SqliteCircuitStateStore', () => {
  it('a restart keeps an open circuit open until its recovery time, then lets a trial through', async () => {
    const path = freshPath();
    const clock = new VirtualClock();
    const first = await processOn(path, clock);
    await failCall(first.policy, unavailable);
    await failCall(first.policy, unavailable);
    expect(first.policy.state).toBe('OPEN');
    await first.queue.close();

    await clock.advance(4_000);
    const second = await processOn(path, clock);
    try {
      expect(second.policy.state).toBe('OPEN');
      expect(second.policy.circuit()).toMatchObject({
        reason: 'failure_threshold',
        since: clock.now() - 4_000,
        error: { message: '503 Service Unavailable' },
      });
      expect(second.policy.refuses()).toBeDefined();
      expect(second.policy.nextAttemptAt()).toBe(clock.now() + 6_000);
      await clock.advance(6_000);
      expect(await second.policy.execute(async () => 'answered')).toBe('answered');
      expect(second.policy.state).toBe('CLOSED');
    } finally {
      await second.queue.close();
    }
    // and the closing was saved too
    const third = await processOn(path, clock);
    expect(third.policy.state).toBe('CLOSED');
    await third.queue.close();
  });

  it('a circuit held open by hand stays held after a restart: no trial, only a reset closes it', async () => {
    const path = freshPath();
    const clock = new VirtualClock();
    const first = await processOn(path, clock);
    first.policy.open();
    await first.queue.close();

    await clock.advance(3_600_000);
    const second = await processOn(path, clock);
    try {
      expect(second.policy.circuit()).toMatchObject({ state: 'OPEN', held: true });
      expect(second.policy.trialsWanted()).toBe(0);
      second.policy.reset();
      expect(second.policy.state).toBe('CLOSED');
    } finally {
      await second.queue.close();
    }
  });

  it('keeps what opened the circuit, so a probe that cannot prove it gone does not close it', async () => {
    const path = freshPath();
    const clock = new VirtualClock();
    const first = await processOn(path, clock);
    const badKey = new PermanentServiceError('401 invalid_api_key', {
      service: 'tts',
      scope: 'service',
      providerCode: 'invalid_api_key',
    });
    await failCall(first.policy, badKey);
    await first.queue.close();
    const second = await processOn(path, clock);
    try {
      expect(second.policy.circuit()).toMatchObject({
        state: 'OPEN',
        reason: 'permanent_error',
        error: { errorClass: 'permanent/service', providerCode: 'invalid_api_key' },
      });
    } finally {
      await second.queue.close();
    }
  });

  it('keeps the newer snapshot; each save takes the next version', async () => {
    const queue = new SqliteCallQueue({ path: ':memory:', clock: new VirtualClock() });
    try {
      const store = queue.circuitStateStore();
      const newer: CircuitSnapshot = {
        service: 'crm',
        state: 'OPEN',
        openedAt: 2_000,
        consecutiveFailures: 2,
        updatedAt: 2_000,
        reason: 'failure_threshold',
        held: false,
      };
      store.save(newer);
      store.save({ ...newer, state: 'CLOSED', openedAt: undefined, updatedAt: 1_000 });
      expect(store.load('crm')).toEqual({ ...newer, version: 1 });
      store.save({ ...newer, state: 'CLOSED', openedAt: undefined, updatedAt: 2_000 });
      expect(store.load('crm')).toMatchObject({ state: 'CLOSED', version: 2 });
      expect(store.load('tts')).toBeUndefined();
    } finally {
      await queue.close();
    }
  });

  it('a save that cannot be written throws: the breaker reports it, never takes it for done', async () => {
    const clock = new VirtualClock();
    const queue = new SqliteCallQueue({ path: freshPath(), clock });
    const policy = createServicePolicy('tts', config, { clock });
    await policy.attachStore(queue.circuitStateStore());
    const failures: string[] = [];
    policy.onStoreError((event) => failures.push(event.operation));
    await queue.close();
    policy.open();
    expect(failures).toEqual(['save']);
  });
});
