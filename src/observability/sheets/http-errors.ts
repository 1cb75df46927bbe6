import {
  PermanentServiceError,
  TransientServiceError,
  type ServiceError,
} from '../../resilience/index.ts';

/** `Retry-After` in seconds or as an HTTP date, in ms from `nowMs`. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Google's error body (`{error: {status, message}}`) or OAuth's (`{error, error_description}`). */
function detailOf(body: string): string | undefined {
  try {
    const data = JSON.parse(body) as {
      error?: string | { status?: string; message?: string };
      error_description?: string;
    };
    if (typeof data.error === 'string') {
      return data.error_description ? `${data.error}: ${data.error_description}` : data.error;
    }
    if (data.error) return [data.error.status, data.error.message].filter(Boolean).join(': ');
  } catch {
    // not JSON: no detail
  }
  return undefined;
}

/**
 * A Google API answer that is not 2xx, classified: 408, 429 and 5xx are transient (with
 * their `Retry-After`); anything else is permanent for the service (bad key, no access,
 * missing sheet or range). The message carries no URL and no credential.
 */
export async function googleHttpError(
  service: string,
  response: Response,
  nowMs: number,
): Promise<ServiceError> {
  const body = await response.text().catch(() => '');
  const detail = detailOf(body)?.slice(0, 200);
  const status = response.status;
  const message = `${service}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), nowMs);
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
