// A flaky quote service (503s, 429 with Retry-After, hangs) called through this engine:
// 3 retries with jittered backoff, 1 s per attempt, a circuit that opens after 2 failed
// calls and half-opens after 2 s, a fallback, a line per state change, a health check.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createServicePolicy,
  errorFromResponse,
  HealthChecker,
  SystemClock,
} from 'ai-call-agent-resilience/resilience';

const base = process.env.QUOTE_URL ?? 'http://localhost:8080';
const speed = Number(process.env.SPEED ?? 1); // time runs this many times faster (for tests)
const clock = new SystemClock({ scale: speed });

const quotes = createServicePolicy(
  'quotes',
  {
    // every time in seconds
    retry: { max_retries: 3, initial_delay: 0.2, backoff_factor: 2, jitter: 'full' },
    circuit_breaker: { failure_threshold: 2, recovery_timeout: 2 },
    timeout: { attempt: 1 },
  },
  { clock },
);
quotes.onStateChanged((e) => console.log(`circuit: ${e.to} (${e.reason})`));

/** GET `path`; a failed answer becomes a transient or permanent error, with its Retry-After. */
async function get(path: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(`${base}${path}`, { signal });
  const body = await res.text();
  if (!res.ok) throw errorFromResponse(res.status, res.headers, { service: 'quotes', body });
  return body;
}

const getQuote = (): Promise<string> =>
  quotes.execute(({ signal }) => get('/quote', signal), {
    fallback: { value: 'No quote right now.' },
  });

// Closes the circuit as soon as /health passes again (a 503 does not pass).
const health = new HealthChecker({ interval: 0.5 }, { clock });
health.register('quotes', async (signal) => void (await get('/health', signal)), quotes);
health.start();

for (let i = 1; i <= 10; i++) {
  console.log(`quote ${i}: ${await getQuote()}`);
  await sleep(500 / speed);
}
await health.stop();
