import type { Campaign } from '../agent/campaign.ts';
import type { Clock } from '../resilience/index.ts';
import { count } from '../text/count.ts';

/** `1 contact in flight gets`, `2 contacts in flight get`. */
const inFlight = (n: number): string => `${count(n, 'contact')} in flight get${n === 1 ? 's' : ''}`;

/** Settles as `promise` does, or resolves to undefined once `ms` have passed. */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  clock: Clock,
): Promise<T | undefined> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise,
      clock.sleep(ms, timer.signal).then(
        () => undefined,
        () => undefined,
      ),
    ]);
  } finally {
    timer.abort();
  }
}

/**
 * The first half of a graceful stop (`serve` and `worker` on SIGTERM): no new contact is
 * claimed, and those in flight get `drainMs` to finish. Resolves to how many are still in
 * flight then; the caller stops the campaign, and they go back to the queue.
 */
export async function drainInFlight(
  campaign: Campaign,
  options: { clock: Clock; drainMs: number; log: (message: string) => void },
): Promise<number> {
  options.log(
    `Shutting down: no new contact is taken; ${inFlight(campaign.inFlight)} ${options.drainMs / 1000} s to finish`,
  );
  campaign.pause();
  await within(campaign.whenNoneInFlight(), options.drainMs, options.clock);
  return campaign.inFlight;
}
