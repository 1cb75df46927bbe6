import {
  createServicePolicy,
  systemClock,
  type Clock,
  type ServicePolicy,
} from '../resilience/index.ts';

/**
 * Each channel's own protection: 3 retries with full-jitter backoff from 1 s (a
 * `Retry-After` / Telegram `retry_after` is a floor on the delay, up to 60 s), a breaker that
 * opens after 3 failed alerts for 60 s, 10 s per attempt and 2 min per alert in all.
 */
export function channelPolicy(channel: string, clock: Clock = systemClock): ServicePolicy {
  return createServicePolicy(
    `alerts/${channel}`,
    {
      retry: { max_retries: 3, initial_delay: 1, backoff_factor: 2, max_delay: 60, budget: false },
      circuit_breaker: { failure_threshold: 3, recovery_timeout: 60 },
      timeout: { attempt: 10, total: 120 },
    },
    { clock },
  );
}
