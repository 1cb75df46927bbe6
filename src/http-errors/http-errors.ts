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
