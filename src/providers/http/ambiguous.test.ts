import { expect, it } from 'vitest';
import {
  isTimeoutError,
  PermanentServiceError,
  TimeoutError,
  TransientServiceError,
} from '../../resilience/index.ts';
import { isAmbiguous } from './ambiguous.ts';

it('isAmbiguous: timeouts, resets after sending, 5xx and unreadable 2xx; not 429, refused, or permanent', () => {
  const transient = (fields: { status?: number; providerCode?: string }) =>
    new TransientServiceError('x', { service: 'Twilio', ...fields });
  expect(isAmbiguous(new TimeoutError('t', { service: 'Twilio', scope: 'attempt' }))).toBe(true);
  expect(isAmbiguous(transient({ providerCode: 'UND_ERR_SOCKET' }))).toBe(true);
  expect(isAmbiguous(transient({ status: 502 }))).toBe(true);
  expect(isAmbiguous(transient({ status: 201, providerCode: 'invalid_response' }))).toBe(true);
  expect(isAmbiguous(transient({ status: 429 }))).toBe(false);
  expect(isAmbiguous(transient({ providerCode: 'ECONNREFUSED' }))).toBe(false);
  expect(isAmbiguous(new PermanentServiceError('p', { service: 'Twilio', scope: 'request' }))).toBe(
    false,
  );
  expect(isTimeoutError(new TimeoutError('t', { service: 'Twilio', scope: 'attempt' }))).toBe(true);
});
