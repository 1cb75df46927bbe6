// The program of quote-ours.ts written with opossum 9.0.0: 3 retries with jittered backoff
// (by hand: opossum has no retry), 1 s per attempt, a circuit that opens after 2 failed calls
// (as an error rate over at least 2 calls) and half-opens after 2 s, a fallback, a line per
// state change.
import { setTimeout as sleep } from 'node:timers/promises';
import CircuitBreaker from 'opossum';

const base = process.env.QUOTE_URL ?? 'http://localhost:8080';
const speed = Number(process.env.SPEED ?? 1); // time runs this many times faster (for tests)
const ms = (seconds: number): number => (seconds * 1000) / speed;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number,
  ) {
    super(`HTTP ${status}`);
  }
}
const retryable = (error: unknown): boolean =>
  !(error instanceof HttpError) || error.status === 429 || error.status >= 500;

async function fetchQuote(signal: AbortSignal): Promise<string> {
  const res = await fetch(`${base}/quote`, { signal });
  const body = await res.text();
  if (res.ok) return body;
  throw new HttpError(res.status, ms(Number(res.headers.get('retry-after') ?? 0)));
}

/** One call: up to 3 retries, each attempt cut off (and its request aborted) after 1 s. */
async function fetchWithRetries(): Promise<string> {
  for (let retries = 0; ; retries++) {
    try {
      return await fetchQuote(AbortSignal.timeout(ms(1)));
    } catch (error) {
      if (retries === 3 || !retryable(error)) throw error;
      const hint = error instanceof HttpError ? error.retryAfterMs : 0;
      await sleep(Math.max(hint, Math.random() * ms(0.2) * 2 ** retries));
    }
  }
}

const breaker = new CircuitBreaker(fetchWithRetries, {
  timeout: false, // each attempt has its own deadline above
  errorThresholdPercentage: 50,
  volumeThreshold: 2,
  resetTimeout: ms(2),
});
breaker.fallback(() => 'No quote right now.');
breaker.on('open', () => console.log('circuit: OPEN'));
breaker.on('halfOpen', () => console.log('circuit: HALF_OPEN'));
breaker.on('close', () => console.log('circuit: CLOSED'));

for (let i = 1; i <= 10; i++) {
  console.log(`quote ${i}: ${await breaker.fire()}`);
  await sleep(ms(0.5));
}
