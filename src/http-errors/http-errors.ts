/**
 * HTTP outcomes → the engine's taxonomy for our own outgoing channels (alert webhooks,
 * Telegram, Google Sheets): shared by alerts/ and observability/, which may not import the
 * provider classifier. A leaf beside the engine: it imports only resilience/.
 */
import { redact } from '../redaction/redact.ts';
import {
  PermanentServiceError,
  TransientServiceError,
  type ServiceError,
} from '../resilience/index.ts';
import { statusVerdict } from '../resilience/http/status-verdict.ts';

export interface HttpStatusErrorOptions {
  retryAfterMs?: number | undefined;
  /** Masked in the detail before it is cut (a token the body echoes: the URL's, the bearer's). */
  secrets?: readonly string[];
}

/**
 * An HTTP answer that is not 2xx, on the engine's status rule (`errorFromResponse`): 408, 425,
 * 429 and 5xx are transient; every 4xx is permanent for the service (wrong URL, revoked hook,
 * bad token, no access) — a log or alert channel never has a "bad request" that is the
 * message's own fault. The message carries no
 * URL; the detail (the answer's own words) is redacted, then cut to 200 characters.
 */
export function httpStatusError(
  service: string,
  status: number,
  detail: string | undefined,
  options: HttpStatusErrorOptions = {},
): ServiceError {
  const { retryAfterMs, secrets = [] } = options;
  const safe = detail ? redact(detail, secrets).slice(0, 200) : '';
  const message = `${service}: HTTP ${status}${safe ? ` ${safe}` : ''}`;
  if (statusVerdict(status).kind === 'transient') {
    return new TransientServiceError(message, { service, status, retryAfterMs });
  }
  return new PermanentServiceError(message, { service, status, scope: 'service' });
}
