import { classifyNetworkError } from '../../http-errors/classify-network.ts';
import { httpStatusError } from '../../http-errors/http-errors.ts';
import {
  parseRetryAfter,
  TransientServiceError,
  type ServiceError,
} from '../../resilience/index.ts';

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
 * missing sheet or range). The message carries no URL and no credential: `secrets` (the
 * access token, the signed assertion) are masked even when the body echoes them.
 */
export async function googleHttpError(
  service: string,
  response: Response,
  nowMs: number,
  secrets: readonly string[] = [],
): Promise<ServiceError> {
  const body = await response.text().catch(() => '');
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), nowMs);
  return httpStatusError(service, response.status, detailOf(body), { retryAfterMs, secrets });
}

/**
 * The JSON body of a Google answer that says it succeeded. A body cut off on the way (the
 * connection closed: fetch's `TypeError: terminated`) is a network failure like any other, and
 * one that does not parse (a proxy's HTML page) a transient failure of the service: never a
 * crash of ours. Rejects with the signal's reason once it aborts.
 */
export async function googleJson(
  service: string,
  response: Response,
  signal: AbortSignal,
  secrets: readonly string[] = [],
): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw signal.aborted ? signal.reason : classifyNetworkError(service, error, secrets);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Promise.reject(
      new TransientServiceError(
        `${service}: HTTP ${response.status} with a body that is not JSON`,
        {
          service,
          status: response.status,
          providerCode: 'invalid_response',
        },
      ),
    );
  }
}
