/** How randomness is mixed into the delay (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Growth per retry. */
  backoffFactor: number;
  /** No delay exceeds this. */
  maxDelayMs?: number;
  jitter?: Jitter;
  /** Uniform in [0, 1). */
  random?: () => number;
}

export const backoffDefaults = Object.freeze({
  maxDelayMs: 60_000,
  jitter: 'full' as Jitter,
  random: Math.random,
});

/**
 * The delay before retry number `retry` (1 for the first), given the previous delay (used by
 * decorrelated jitter). Always within [0, maxDelayMs].
 *
 * - none:         min(cap, base·factor^(n−1))
 * - full:         random(0, min(cap, base·factor^(n−1)))
 * - equal:        e/2 + random(0, e/2) with e = min(cap, base·factor^(n−1))
 * - decorrelated: min(cap, random(base, previous·3))
 */
export function backoffDelay(
  options: BackoffOptions,
  retry: number,
  previousDelayMs?: number,
): number {
  const {
    initialDelayMs: base,
    backoffFactor,
    maxDelayMs,
    jitter,
    random,
  } = {
    ...backoffDefaults,
    ...options,
  };
  // base 0 stays 0 (0 · Infinity would be NaN once factor^(n−1) overflows)
  const exponential =
    base === 0 ? 0 : Math.min(maxDelayMs, base * backoffFactor ** Math.max(0, retry - 1));
  switch (jitter) {
    case 'none':
      return exponential;
    case 'full':
      return random() * exponential;
    case 'equal':
      return exponential / 2 + (random() * exponential) / 2;
    case 'decorrelated': {
      const previous = Math.max(base, previousDelayMs ?? base);
      return Math.min(maxDelayMs, base + random() * (previous * 3 - base));
    }
  }
}
