import { afterEach, expect } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import { LeaseLostError, type CallQueue, type QueuedContactData } from '../call-queue.ts';
import type { LeaseHolder } from '../lease-holder.ts';

/** What a test may ask of the queue it makes. */
export interface MakeOptions {
  /** The process the queue's leases are recorded for (default: this process). */
  holder?: LeaseHolder | undefined;
  /** A store that fills up after a few tens of KB, as a full disk would. */
  small?: boolean | undefined;
}

/**
 * Builds a fresh, empty queue on the given clock, with the default maxFailedAttempts (5).
 * A backend that cannot make a small store throws when asked for one.
 */
export type MakeCallQueue = (clock: VirtualClock, options?: MakeOptions) => Promise<CallQueue>;

/** The contract assumes each backend's default of counted failures before giving up. */
export const CONTRACT_MAX_FAILED_ATTEMPTS = 5;

export interface QueueFixture {
  clock: VirtualClock;
  queue: CallQueue;
  /** When the fixture was made. */
  t0: number;
}

/** Returns a setup function; every queue it made is closed after each test. */
export function useQueue(make: MakeCallQueue): (options?: MakeOptions) => Promise<QueueFixture> {
  const open: CallQueue[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close()));
  });
  return async (options?: MakeOptions) => {
    const clock = new VirtualClock();
    const queue = await make(clock, options);
    open.push(queue);
    return { clock, queue, t0: clock.now() };
  };
}

/** Contact number `n`: id `c<n>`, a valid US number. */
export function contact(n: number, extra: Partial<QueuedContactData> = {}): QueuedContactData {
  return {
    id: `c${n}`,
    name: `Contact ${n}`,
    phone: `+1415555${String(n).padStart(4, '0')}`,
    ...extra,
  };
}

/** Claims and fails the test when nothing is due. */
export async function mustClaim(queue: CallQueue, workerId = 'w1', leaseMs = 60_000) {
  const claimed = await queue.claim(workerId, leaseMs);
  if (claimed === undefined) throw new Error('expected a contact to be due');
  return claimed;
}

export async function expectLeaseLost(promise: Promise<unknown>, contactId: string) {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LeaseLostError);
  expect(error).toMatchObject({ code: 'E_LEASE_LOST', contactId });
}

/** A queue error of the storage kind (`E_QUEUE_STORAGE`), whatever the backend. */
export async function expectStorageError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toMatchObject({ code: 'E_QUEUE_STORAGE' });
  return error as Error;
}
