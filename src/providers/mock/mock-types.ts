/** The providers the mock speaks, and the path prefix each is served under. */
export const mockProviderIds = ['openai', 'elevenlabs', 'twilio', 'hubspot'] as const;
export type MockProviderId = (typeof mockProviderIds)[number];

/** The caller id the mock Twilio accepts: Twilio's own test number, no one's phone. */
export const MOCK_TWILIO_FROM_NUMBER = '+15005550006';

/** A request as a provider handler sees it: path and query below the provider's prefix. */
export interface MockRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

export interface MockReply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** What the wrapper (HTTP server or in-process client) must do. */
export type MockOutcome = { kind: 'reply'; reply: MockReply } | { kind: 'reset' };

/** Which fault script an endpoint consumes. */
export type EndpointKind = 'operation' | 'probe' | 'lookup' | 'other';

/** A request the mock received, for tests to assert on. Auth headers are redacted. */
export interface RecordedRequest {
  seq: number;
  provider: MockProviderId;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** Mock clock time of arrival. */
  at: number;
  /** The fault applied, e.g. `ok`, `503`, `reset`, `quota_exceeded`. */
  fault: string;
}
