/**
 * HTTP outcomes → the engine's taxonomy for our own outgoing channels (alert webhooks,
 * Telegram, Google Sheets): shared by alerts/ and observability/, which may not import the
 * provider classifier. A leaf beside the engine: it imports only resilience/.
 */
import {
  PermanentServiceError,
  TransientServiceError,
  type ServiceError,
} from '../resilience/index.ts';

/** `Retry-After` in seconds or as an HTTP date, in ms from `nowMs`. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * An HTTP answer that is not 2xx: 408, 425, 429 and 5xx are transient; any other 4xx is
 * permanent for the service (wrong URL, revoked hook, bad token, no access) — a log or alert
 * channel never has a "bad request" that is the message's own fault. The message carries no URL.
 */
export function httpStatusError(
  service: string,
  status: number,
  detail: string | undefined,
  retryAfterMs?: number,
): ServiceError {
  const message = `${service}: HTTP ${status}${detail ? ` ${detail.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    return new TransientServiceError(message, { service, status, retryAfterMs });
  }
  return new PermanentServiceError(message, { service, status, scope: 'service' });
}

/** A fetch that threw: the abort reason when the signal aborted, else a transient error. */
export function networkError(service: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return new TransientServiceError(`${service}: request failed (${code ?? 'network error'})`, {
    service,
    providerCode: code,
  });
}
