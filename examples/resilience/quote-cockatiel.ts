// The program of quote-ours.ts written with cockatiel 3.2.1: 3 retries with jittered backoff
// (Retry-After as a floor, by hand), 1 s per attempt, a circuit that opens after 2 failed
// calls and half-opens after 2 s, a fallback, a line per state change.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  circuitBreaker,
  ConsecutiveBreaker,
  DelegateBackoff,
  fallback,
  handleAll,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type IRetryBackoffContext,
} from 'cockatiel';

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
const retryable = (error: Error): boolean =>
  !(error instanceof HttpError) || error.status === 429 || error.status >= 500;

const retryAfter = ({ result }: IRetryBackoffContext<unknown>): number =>
  'error' in result && result.error instanceof HttpError ? result.error.retryAfterMs : 0;

const retries = retry(handleWhen(retryable), {
  maxAttempts: 3,
  backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) =>
    Math.max(retryAfter(context), Math.random() * ms(0.2) * 2 ** (context.attempt - 1)),
  ),
});
const breaker = circuitBreaker(handleAll, {
  halfOpenAfter: ms(2),
  breaker: new ConsecutiveBreaker(2),
});
breaker.onBreak(() => console.log('circuit: OPEN'));
breaker.onHalfOpen(() => console.log('circuit: HALF_OPEN'));
breaker.onReset(() => console.log('circuit: CLOSED'));
const policy = wrap(
  fallback(handleAll, 'No quote right now.'),
  breaker,
  retries,
  timeout(ms(1), TimeoutStrategy.Aggressive),
);

const getQuote = (): Promise<string> =>
  policy.execute(async ({ signal }) => {
    const res = await fetch(`${base}/quote`, { signal });
    const body = await res.text();
    if (res.ok) return body;
    throw new HttpError(res.status, ms(Number(res.headers.get('retry-after') ?? 0)));
  });

for (let i = 1; i <= 10; i++) {
  console.log(`quote ${i}: ${await getQuote()}`);
  await sleep(ms(0.5));
}
