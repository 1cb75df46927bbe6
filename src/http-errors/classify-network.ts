import {
  isServiceError,
  isTransientError,
  PermanentServiceError,
  TransientServiceError,
  type ServiceError,
} from '../resilience/index.ts';
import { sanitizeError } from '../redaction/error-text.ts';

/** Codes meaning the request never reached the server: retrying cannot duplicate it. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_NONAME: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'socket timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'socket timeout',
  UND_ERR_BODY_TIMEOUT: 'socket timeout',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
};

/** The first `code` string on the error or its causes (fetch wraps it: TypeError → cause). */
function findCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns a failure to talk to a service (refused, reset, DNS, socket timeout, fetch's
 * `TypeError: fetch failed`) into a TransientServiceError; an invalid URL is a configuration
 * fault (PermanentServiceError, scope service). Errors already classified pass through. The
 * message is built from the error code only; the cause is a redacted copy.
 */
export function classifyNetworkError(
  service: string,
  error: unknown,
  secrets: readonly string[] = [],
): ServiceError {
  if (isServiceError(error)) return error;
  const code = findCode(error);
  const cause = sanitizeError(error, secrets);
  if (code === 'ERR_INVALID_URL') {
    return new PermanentServiceError('invalid URL (check the base URL setting)', {
      service,
      scope: 'service',
      providerCode: code,
      cause,
    });
  }
  const description = (code && DESCRIPTIONS[code]) ?? 'network error';
  return new TransientServiceError(code ? `${description} (${code})` : description, {
    service,
    providerCode: code,
    cause,
  });
}

/** True when the error proves the request never reached the server (so nothing happened). */
export function wasNeverSent(error: unknown): boolean {
  return (
    isTransientError(error) &&
    error.status === undefined &&
    error.providerCode !== undefined &&
    NEVER_SENT.has(error.providerCode)
  );
}
