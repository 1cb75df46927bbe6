import type { HttpClient, MockProviderId } from '../../src/providers/index.ts';
import type { Clock } from '../../src/resilience/index.ts';
import { kindOf, providerOfPath, type RequestKind, type RequestMeter } from './request-meter.ts';

/**
 * What the mock providers cannot script on their own, played between the adapters and the
 * mock: how long each request takes (a baseline per provider, and a brownout's long tail), and
 * a plan's limit on requests in flight (ElevenLabs answers 429 `concurrent_limit_exceeded`
 * past it). Every request is recorded on the meter as the provider saw it.
 */
export interface NetworkConditions {
  /** How long a request takes now, in ms (before the mock answers). */
  latencyMs(provider: MockProviderId, kind: RequestKind, now: number): number;
  /** The plan's limit of requests in flight, if any, now. */
  concurrencyLimit(provider: MockProviderId, now: number): number | undefined;
}

/** ElevenLabs' answer past the plan's concurrency (the same body its mock names). */
const CONCURRENCY_429 = {
  status: 429,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(
    JSON.stringify({
      detail: {
        type: 'rate_limit_error',
        code: 'concurrent_limit_exceeded',
        message: 'Too many concurrent requests. Your plan allows 5 concurrent requests.',
      },
    }),
  ),
};

/** Wraps the in-process client with the conditions and the meter. */
export function networkClient(
  inner: HttpClient,
  clock: Clock,
  conditions: NetworkConditions,
  meter: RequestMeter,
  /** The run's start: the conditions and the meter read times relative to it. */
  startedAt: number,
): HttpClient {
  const elapsed = (): number => clock.now() - startedAt;
  const inFlight = new Map<MockProviderId, number>();
  return async (request, signal, onHeaders) => {
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    const provider = providerOfPath(path);
    const kind = kindOf(request.method, path);
    const entry = { at: elapsed(), provider, kind, status: 0 };
    meter.record(entry);
    const limit =
      kind === 'operation' ? conditions.concurrencyLimit(provider, elapsed()) : undefined;
    if (limit !== undefined && (inFlight.get(provider) ?? 0) >= limit) {
      entry.status = CONCURRENCY_429.status;
      return CONCURRENCY_429;
    }
    inFlight.set(provider, (inFlight.get(provider) ?? 0) + 1);
    try {
      await clock.sleep(conditions.latencyMs(provider, kind, elapsed()), signal);
      const result = await inner(request, signal, onHeaders);
      entry.status = result.status;
      return result;
    } finally {
      inFlight.set(provider, (inFlight.get(provider) ?? 1) - 1);
    }
  };
}
