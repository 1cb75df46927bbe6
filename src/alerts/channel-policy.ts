import { ServicePolicy, systemClock, type Clock } from '../resilience/index.ts';

/**
 * Each channel's own protection: 3 retries with full-jitter backoff from 1 s (a
 * `Retry-After` / Telegram `retry_after` is a floor on the delay, up to 60 s), a breaker that
 * opens after 3 failed alerts for 60 s, 10 s per attempt and 2 min per alert in all.
 */
export function channelPolicy(channel: string, clock: Clock = systemClock): ServicePolicy {
  return new ServicePolicy({
    service: `alerts/${channel}`,
    clock,
    retry: { maxRetries: 3, initialDelayMs: 1_000, backoffFactor: 2, maxDelayMs: 60_000 },
    circuitBreaker: { failureThreshold: 3, recoveryTimeoutMs: 60_000 },
    timeout: { attemptMs: 10_000, totalMs: 120_000 },
  });
}
