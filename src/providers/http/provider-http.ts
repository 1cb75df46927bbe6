import { STATUS_CODES } from 'node:http';
import { systemClock, TransientServiceError, type Clock } from '../../resilience/index.ts';
import { classifyHttpResponse } from './classify-response.ts';
import type { HttpClient, HttpRequest, HttpResult } from './http-client.ts';
import { nodeHttpClient } from './node-http-client.ts';
import type { ProviderKind } from './provider-kind.ts';
import { requestWithDeadline, type DeadlineTransport } from './request-with-deadline.ts';

/** Transport options every adapter takes. */
export interface HttpOptions {
  /** Default: `nodeHttpClient` (node:http, keep-alive). The in-process mock's client runs adapters without sockets. */
  httpClient?: HttpClient | undefined;
  /** Default: the system clock. Deadlines run on it. */
  clock?: Clock | undefined;
  /** Time to the response headers (default 10 s). */
  ttfbMs?: number | undefined;
  /** Time to the end of the body (default 30 s). */
  totalMs?: number | undefined;
}

export const httpDefaults = {
  httpClient: nodeHttpClient,
  clock: systemClock as Clock,
  ttfbMs: 10_000,
  totalMs: 30_000,
};

/** `base` (which may carry a path, e.g. a gateway's) + `path`, never replacing the base's path. */
export function joinUrl(base: string, path: string, query?: Record<string, string>): string {
  const url = `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  if (!query || Object.keys(query).length === 0) return url;
  return `${url}?${new URLSearchParams(query).toString()}`;
}

/** A success whose body is not what the API promises: a failure worth retrying, not a crash. */
export function invalidAnswer(
  service: string,
  status: number,
  what: string,
): TransientServiceError {
  return new TransientServiceError(
    `${status} ${STATUS_CODES[status] ?? 'Unexpected Status'}: ${what}`,
    {
      service,
      status,
      providerCode: 'invalid_response',
    },
  );
}

/** What one adapter needs to talk to its provider: URLs, deadlines, classification. */
export class ProviderHttp {
  readonly provider: ProviderKind;
  readonly service: string;
  readonly clock: Clock;
  readonly #baseUrl: string;
  readonly #transport: DeadlineTransport;

  constructor(
    provider: ProviderKind,
    service: string,
    baseUrl: string,
    secrets: readonly string[],
    options: HttpOptions = {},
  ) {
    this.provider = provider;
    this.service = service;
    this.clock = options.clock ?? httpDefaults.clock;
    this.#baseUrl = baseUrl;
    this.#transport = {
      client: options.httpClient ?? httpDefaults.httpClient,
      clock: this.clock,
      ttfbMs: options.ttfbMs ?? httpDefaults.ttfbMs,
      totalMs: options.totalMs ?? httpDefaults.totalMs,
      service,
      secrets: secrets.filter((secret) => secret !== ''),
    };
  }

  url(path: string, query?: Record<string, string>): string {
    return joinUrl(this.#baseUrl, path, query);
  }

  /** Sends the request; returns any status. */
  raw(request: HttpRequest, signal: AbortSignal): Promise<HttpResult> {
    return requestWithDeadline(this.#transport, request, signal);
  }

  /** Sends the request; throws the classified error unless the status is 2xx. */
  async send(request: HttpRequest, signal: AbortSignal): Promise<HttpResult> {
    const result = await this.raw(request, signal);
    if (result.status < 200 || result.status > 299) throw this.classify(result);
    return result;
  }

  classify(result: HttpResult): ReturnType<typeof classifyHttpResponse> {
    return classifyHttpResponse(this.provider, result.status, result.headers, text(result), {
      service: this.service,
      secrets: this.#transport.secrets,
      now: this.clock.now(),
    });
  }

  /** The body as JSON; a body that does not parse is a transient failure. */
  json(result: HttpResult): unknown {
    try {
      return JSON.parse(text(result)) as unknown;
    } catch {
      throw invalidAnswer(this.service, result.status, 'unparseable body');
    }
  }
}

export function text(result: HttpResult): string {
  return new TextDecoder().decode(result.body);
}
