import { describe, expect, it } from 'vitest';
import { classifyError, isPermanentError, isTransientError } from '../errors.ts';
import { errorFromResponse } from './error-from-response.ts';

const NOW = Date.UTC(2026, 0, 29, 18, 17, 0);

describe('errorFromResponse', () => {
  it.each([
    [408, 'transient'],
    [425, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [503, 'transient'],
    [599, 'transient'],
    [401, 'permanent/service'],
    [402, 'permanent/service'],
    [403, 'permanent/service'],
    [400, 'permanent/request'],
    [404, 'permanent/request'],
    [422, 'permanent/request'],
    [304, 'transient'],
  ])('HTTP %i is %s', (status, errorClass) => {
    const error = errorFromResponse(status, {}, { service: 'quotes' });
    expect(classifyError(error)).toBe(errorClass);
    expect(error).toMatchObject({ service: 'quotes', status });
  });

  it('a 429 or 503 carries the wait Retry-After asks for, in seconds or as a date', () => {
    const seconds = errorFromResponse(429, new Headers({ 'Retry-After': '2' }), {
      service: 'quotes',
    });
    expect(isTransientError(seconds) && seconds.retryAfterMs).toBe(2000);
    const date = errorFromResponse(
      503,
      { 'retry-after': new Date(NOW + 30_000).toUTCString() },
      { service: 'quotes', now: NOW },
    );
    expect(date.retryAfterMs).toBe(30_000);
    expect(errorFromResponse(503, {}, { service: 'quotes' }).retryAfterMs).toBeUndefined();
  });

  it('a permanent error carries no wait, even if the answer named one', () => {
    const error = errorFromResponse(401, { 'retry-after': '60' }, { service: 'quotes' });
    expect(isPermanentError(error) && error.retryAfterMs).toBeUndefined();
  });

  it('names the service and status, and the first 200 characters of the body it is given', () => {
    expect(errorFromResponse(503, {}, { service: 'quotes' }).message).toBe('quotes: HTTP 503');
    const body = `  upstream down ${'x'.repeat(300)}`;
    const { message } = errorFromResponse(502, {}, { service: 'quotes', body });
    expect(message).toBe(`quotes: HTTP 502 ${body.trim().slice(0, 200)}`);
  });
});
