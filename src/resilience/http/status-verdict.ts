/** What an HTTP status alone says of a failed answer. */
export type StatusVerdict =
  { kind: 'transient' } | { kind: 'permanent'; scope: 'service' | 'request' };

const transient: StatusVerdict = Object.freeze({ kind: 'transient' });
const service: StatusVerdict = Object.freeze({ kind: 'permanent', scope: 'service' });
const request: StatusVerdict = Object.freeze({ kind: 'permanent', scope: 'request' });

/**
 * The rule every service shares: 408, 425, 429 and 5xx may pass if tried again; 401, 402 and
 * 403 mean the service refuses this caller (key, payment, permission); any other 4xx is this
 * request's fault; an unexpected 1xx–3xx is not what was asked for, and may pass later.
 */
export function statusVerdict(status: number): StatusVerdict {
  if (status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599)) {
    return transient;
  }
  if (status === 401 || status === 402 || status === 403) return service;
  if (status >= 400 && status <= 499) return request;
  return transient;
}
