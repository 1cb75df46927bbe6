import type { HttpClient } from '../http/http-client.ts';
import type { MockProviders } from './mock-providers.ts';

/** The origin the in-process client answers for; base URLs: `mock.baseUrls(IN_PROCESS_ORIGIN)`. */
export const IN_PROCESS_ORIGIN = 'http://mock-providers.local';

/** An Error with a Node-style `code`, as a socket error carries. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * An HttpClient over the mock providers with no socket: the real adapters run against it on
 * a VirtualClock (latency and slow answers sleep on the mock's clock). It honours the
 * signal, and fails the way the node:http client does: a reset is `TypeError('fetch failed')`
 * with a cause coded `UND_ERR_SOCKET`; another host is `ENOTFOUND`.
 */
export function createInProcessClient(mock: MockProviders, origin = IN_PROCESS_ORIGIN): HttpClient {
  const expected = new URL(origin).origin;
  return async (request, signal, onHeaders) => {
    signal.throwIfAborted();
    const url = new URL(request.url);
    if (url.origin !== expected) {
      throw new TypeError('fetch failed', {
        cause: codedError(`getaddrinfo ENOTFOUND ${url.hostname}`, 'ENOTFOUND'),
      });
    }
    const outcome = await mock.handle(
      {
        method: request.method,
        url: `${url.pathname}${url.search}`,
        headers: lowerCaseKeys(request.headers),
        body: request.body ?? '',
      },
      signal,
    );
    signal.throwIfAborted();
    if (outcome.kind === 'reset') {
      throw new TypeError('fetch failed', {
        cause: codedError('other side closed', 'UND_ERR_SOCKET'),
      });
    }
    onHeaders?.();
    const { status, headers, body } = outcome.reply;
    return {
      status,
      headers: lowerCaseKeys(headers),
      body: typeof body === 'string' ? Buffer.from(body) : body,
    };
  };
}

/** Header names as a server receives them (node:http lowercases them). */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name]!;
  return out;
}
