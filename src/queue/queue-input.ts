import type { QueuedContactData } from './call-queue.ts';

/** Every backend refuses the same bad input, before anything is written. */
export function assertLease(leaseMs: number): void {
  if (!(leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${leaseMs}`);
}

export function assertContact(contact: QueuedContactData, index: number): void {
  for (const field of ['id', 'name', 'phone'] as const) {
    const value: unknown = contact[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TypeError(`contact #${index} has no ${field}`);
    }
  }
}

export function assertMaxFailedAttempts(maxFailedAttempts: number): void {
  if (!Number.isInteger(maxFailedAttempts) || maxFailedAttempts < 1) {
    throw new RangeError(`maxFailedAttempts must be an integer >= 1, got ${maxFailedAttempts}`);
  }
}

export function assertDeferral(options: {
  untilReleased?: boolean | undefined;
  service?: string | undefined;
}): void {
  if (options.untilReleased && !options.service) {
    throw new RangeError('a contact can wait to be released only for a named service');
  }
}
