import { PermanentServiceError, TransientServiceError } from '../errors.ts';
import type { ResponseHeaders } from './headers.ts';
import { retryAfterFromHeaders } from './retry-after.ts';
import { statusVerdict } from './status-verdict.ts';

export interface ResponseErrorOptions {
  /** The service the error is about, as events and logs will name it. */
  service: string;
  /** The answer's body, or what of it should be read: its first 200 characters go into the message. */
  body?: string | undefined;
  /** Milliseconds since the epoch, to turn a `Retry-After` date into a delay (default: now). */
  now?: number | undefined;
}

/**
 * Turns an HTTP answer that failed into the taxonomy. 408, 425, 429, 5xx: transient, with
 * the wait `Retry-After` (or `retry-after-ms`) asks for as `retryAfterMs`; 401, 402, 403:
 * permanent for the service (it opens the circuit at once); any other 4xx: permanent for this
 * request (it does not count against the service).
 */
export function errorFromResponse(
  status: number,
  headers: ResponseHeaders,
  options: ResponseErrorOptions,
): TransientServiceError | PermanentServiceError {
  const { service, body } = options;
  const detail = body?.trim().slice(0, 200);
  const message = `${service}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  const verdict = statusVerdict(status);
  if (verdict.kind === 'permanent') {
    return new PermanentServiceError(message, { service, status, scope: verdict.scope });
  }
  const retryAfterMs = retryAfterFromHeaders(headers, options.now ?? Date.now());
  return new TransientServiceError(message, { service, status, retryAfterMs });
}
