import type { MockProviderId, MockRequest, RecordedRequest } from './mock-types.ts';

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'xi-api-key',
  'x-api-key',
  'api-key',
  'cookie',
]);

/** A request as received; turned into a RecordedRequest only when someone lists it. */
interface Entry {
  seq: number;
  provider: MockProviderId;
  request: MockRequest;
  at: number;
  fault: string;
}

function recorded({ seq, provider, request, at, fault }: Entry): RecordedRequest {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      SECRET_HEADERS.has(name) ? '[redacted]' : value,
    ]),
  );
  return {
    seq,
    provider,
    method: request.method,
    path: request.path,
    query: Object.fromEntries(request.query),
    headers,
    body: request.body,
    at,
    fault,
  };
}

/** The requests the mock received, newest last, at most `max`; auth headers redacted. */
export class RequestLog {
  readonly #max: number;
  #entries: Entry[] = [];
  #seq = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Keeps `request` as it is: the caller does not change it afterwards. */
  add(provider: MockProviderId, request: MockRequest, at: number, fault: string): void {
    this.#entries.push({ seq: ++this.#seq, provider, request, at, fault });
    // Trim in batches, not on every request: `list` shows the newest `max` only.
    if (this.#entries.length >= 2 * this.#max) this.#entries = this.#newest();
  }

  list(provider?: MockProviderId): RecordedRequest[] {
    const newest = this.#newest();
    return (provider ? newest.filter((entry) => entry.provider === provider) : newest).map(
      recorded,
    );
  }

  #newest(): Entry[] {
    return this.#entries.slice(Math.max(0, this.#entries.length - this.#max));
  }

  clear(): void {
    this.#entries = [];
  }
}
