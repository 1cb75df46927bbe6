import type { AppConfig } from '../../src/config.ts';
import type { PolicyConfig } from '../../src/resilience/index.ts';

/** More calls than a campaign of the suite ever has in flight. */
const UNLIMITED = 1_000_000;

/**
 * A ServicePolicy config that lets every call through once: no retry, no budget, a breaker
 * that counts no failure (so it never opens, and no health probe has anything to close), no
 * bulkhead to speak of. `timeout` is the app's (naive and retry-only keep the request timeouts
 * any HTTP client has) or none (a competitor brings its own).
 */
export function passThroughConfig(app: AppConfig, withTimeouts: boolean): PolicyConfig {
  return {
    retry: {
      max_retries: 0,
      initial_delay: app.retry.initial_delay,
      backoff_factor: 1,
      budget: false,
    },
    circuit_breaker: {
      failure_threshold: UNLIMITED,
      recovery_timeout: app.circuit_breaker.recovery_timeout,
      is_failure: () => false,
    },
    timeout: withTimeouts ? app.timeout : undefined,
    bulkhead: { max_concurrent: UNLIMITED, max_queue: UNLIMITED },
  };
}
