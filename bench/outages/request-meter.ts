import type { MockProviderId } from '../../src/providers/index.ts';

/** What a request to a provider did: its work (a POST), a health probe, or a call look-up. */
export type RequestKind = 'operation' | 'probe' | 'lookup';

/** One request as the provider saw it. */
export interface MeteredRequest {
  /** When it was sent (virtual ms). */
  at: number;
  provider: MockProviderId;
  kind: RequestKind;
  /** The HTTP status, or 0 when no answer came (reset, aborted, timed out). */
  status: number;
}

/** Every request of a run, in order: the ground truth the figures are computed from. */
export class RequestMeter {
  readonly requests: MeteredRequest[] = [];

  record(request: MeteredRequest): void {
    this.requests.push(request);
  }

  /** The requests of one provider and kind, optionally sent within [from, to). */
  select(
    provider: MockProviderId,
    kind: RequestKind,
    window?: { from: number; to: number },
  ): MeteredRequest[] {
    return this.requests.filter(
      (r) =>
        r.provider === provider &&
        r.kind === kind &&
        (window === undefined || (r.at >= window.from && r.at < window.to)),
    );
  }
}

/** The provider a mock URL path belongs to (`/elevenlabs/v1/…` → `elevenlabs`). */
export function providerOfPath(path: string): MockProviderId {
  const first = path.split('/')[1];
  if (first === 'openai' || first === 'elevenlabs' || first === 'twilio' || first === 'hubspot') {
    return first;
  }
  throw new Error(`not a mock provider path: ${path}`);
}

/** A POST does the provider's work; a Twilio `GET …/Calls.json` looks calls up; any other GET probes. */
export function kindOf(method: string, path: string): RequestKind {
  if (method === 'POST') return 'operation';
  return path.split('?')[0]!.endsWith('/Calls.json') ? 'lookup' : 'probe';
}
