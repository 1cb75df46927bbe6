import type { ResponseHeaders } from '../../resilience/index.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/** A whole answer: status, headers and the body read to its end. */
export interface HttpResult {
  status: number;
  headers: ResponseHeaders;
  body: Uint8Array;
}

/**
 * How the adapters speak HTTP: send one request, call `onHeaders` when the status line and
 * headers are in, read the whole answer, honour the signal.
 * Fails as `fetch` does (`TypeError('fetch failed')` with the socket error as `cause`), so
 * one network classifier reads every client. Default: `nodeHttpClient`; the in-process mock
 * has one without sockets; `fetchClient` wraps any `fetch`.
 */
export type HttpClient = (
  request: HttpRequest,
  signal: AbortSignal,
  onHeaders?: () => void,
) => Promise<HttpResult>;

/** The part of `fetch` that `fetchClient` needs. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An HttpClient over a `fetch` (global fetch, or one with a proxy or custom TLS). */
export function fetchClient(fetch: FetchLike): HttpClient {
  return async (request, signal, onHeaders) => {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
    });
    onHeaders?.();
    const body = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  };
}
