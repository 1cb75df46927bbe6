import type { MockProviderId, MockRequest, RecordedRequest } from './mock-types.ts';

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'xi-api-key',
  'x-api-key',
  'api-key',
  'cookie',
]);

/** The requests the mock received, newest last, at most `max`; auth headers redacted. */
export class RequestLog {
  readonly #max: number;
  #entries: RecordedRequest[] = [];
  #seq = 0;

  constructor(max: number) {
    this.#max = max;
  }

  add(provider: MockProviderId, request: MockRequest, at: number, fault: string): void {
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        SECRET_HEADERS.has(name) ? '[redacted]' : value,
      ]),
    );
    this.#entries.push({
      seq: ++this.#seq,
      provider,
      method: request.method,
      path: request.path,
      query: Object.fromEntries(request.query),
      headers,
      body: request.body,
      at,
      fault,
    });
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max);
  }

  list(provider?: MockProviderId): RecordedRequest[] {
    return provider
      ? this.#entries.filter((entry) => entry.provider === provider)
      : [...this.#entries];
  }

  clear(): void {
    this.#entries = [];
  }
}
