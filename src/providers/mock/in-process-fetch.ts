import type { FetchLike } from '../http/fetch-with-deadline.ts';
import type { MockProviders } from './mock-providers.ts';

/** The origin the in-process fetch answers for; base URLs: `mock.baseUrls(IN_PROCESS_ORIGIN)`. */
export const IN_PROCESS_ORIGIN = 'http://mock-providers.local';

/** An Error with a Node-style `code`, as undici puts in `cause`. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function bodyText(body: RequestInit['body']): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  throw new TypeError('in-process fetch: unsupported body type');
}

/**
 * A `fetch` over the mock providers with no socket: the real adapters run against it on a
 * VirtualClock (latency and slow answers sleep on the mock's clock). It honours the request's
 * AbortSignal, and fails the way undici does: a reset is `TypeError('fetch failed')` with a
 * cause coded `UND_ERR_SOCKET`; another host is `ENOTFOUND`.
 */
export function createInProcessFetch(mock: MockProviders, origin = IN_PROCESS_ORIGIN): FetchLike {
  const expected = new URL(origin).origin;
  return async (input, init = {}) => {
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const url = new URL(input);
    if (url.origin !== expected) {
      throw new TypeError('fetch failed', {
        cause: codedError(`getaddrinfo ENOTFOUND ${url.hostname}`, 'ENOTFOUND'),
      });
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const outcome = await mock.handle(
      {
        method: init.method ?? 'GET',
        url: `${url.pathname}${url.search}`,
        headers,
        body: bodyText(init.body),
      },
      signal,
    );
    signal?.throwIfAborted();
    if (outcome.kind === 'reset') {
      throw new TypeError('fetch failed', {
        cause: codedError('other side closed', 'UND_ERR_SOCKET'),
      });
    }
    const { status, headers: replyHeaders, body } = outcome.reply;
    return new Response(body === '' ? null : body, { status, headers: replyHeaders });
  };
}
