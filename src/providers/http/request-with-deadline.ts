import { TimeoutError, type Clock } from '../../resilience/index.ts';
import { classifyNetworkError } from '../../http-errors/classify-network.ts';
import type { HttpClient, HttpRequest, HttpResult } from './http-client.ts';

export interface DeadlineTransport {
  client: HttpClient;
  clock: Clock;
  /** Service name for errors. */
  service: string;
  /** Time to the response headers. */
  ttfbMs: number;
  /** Time to the end of the body. */
  totalMs: number;
  /** Stripped from any error message. */
  secrets: readonly string[];
}

/**
 * Sends one request and reads the whole body under two deadlines (first byte, total) joined
 * with the caller's signal. Throws the caller's abort reason when the caller aborts, a
 * TimeoutError (scope `attempt`) when a deadline passes, and a classified network error when
 * the connection fails. Returns any status: classifying it is the caller's job. Timers and
 * listeners are removed in every case.
 */
export async function requestWithDeadline(
  transport: DeadlineTransport,
  request: HttpRequest,
  signal: AbortSignal,
): Promise<HttpResult> {
  signal.throwIfAborted();
  const { clock, service, ttfbMs, totalMs } = transport;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const expire = (message: string) => () =>
    controller.abort(new TimeoutError(message, { service, scope: 'attempt' }));
  const ttfbTimer = clock.setTimer(expire(`no response within ${ttfbMs} ms`), ttfbMs);
  const totalTimer = clock.setTimer(expire(`response not complete within ${totalMs} ms`), totalMs);
  try {
    return await transport.client(request, controller.signal, () => ttfbTimer.clear());
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw classifyNetworkError(service, error, transport.secrets);
  } finally {
    ttfbTimer.clear();
    totalTimer.clear();
    signal.removeEventListener('abort', onAbort);
  }
}
