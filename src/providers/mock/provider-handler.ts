import type { EndpointKind, MockProviderId, MockReply, MockRequest } from './mock-types.ts';

/** One provider's wire API in the mock: its routes, its state and its error dialect. */
export interface ProviderHandler {
  readonly id: MockProviderId;
  /** The endpoint's kind (which fault script it consumes); undefined for an unknown route. */
  endpoint(request: MockRequest): EndpointKind | undefined;
  /** The provider's answer when the credentials are missing or malformed, else undefined. */
  checkAuth(request: MockRequest): MockReply | undefined;
  /** Serves the request normally; may change state (a call is created). */
  serve(request: MockRequest, now: number): MockReply;
  /** The content type of this endpoint's success (for an empty-body fault). */
  contentType(request: MockRequest): string;
  /** The provider's answer for one of its named errors; undefined if it has no such code. */
  namedError(code: string, request: MockRequest): MockReply | undefined;
  /** The provider's error answer for an HTTP status, in its own body dialect. */
  statusError(status: number, retryAfterSeconds?: number): MockReply;
  /** A 429 rate limit in the provider's dialect, with `Retry-After`. */
  rateLimited(retryAfterSeconds: number): MockReply;
  notFound(): MockReply;
  /** Forgets all state. */
  reset(): void;
}
