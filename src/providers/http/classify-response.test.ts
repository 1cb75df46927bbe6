import { describe, expect, it } from 'vitest';
import { classifyHttpResponse } from './classify-response.ts';
import type { ProviderKind } from './provider-kind.ts';

const NOW = Date.UTC(2026, 0, 29, 18, 17, 0);
const json = (value: unknown): string => JSON.stringify(value);
const eleven = (fields: Record<string, string>): string => json({ detail: fields });
const openai = (code: string | null, type: string, message = 'm'): string =>
  json({ error: { message, type, param: null, code } });
const twilio = (code: number, status: number): string =>
  json({
    code,
    message: `error ${code}`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
const hubspot = (policyName: string): string =>
  json({ status: 'error', message: 'limit', errorType: 'RATE_LIMIT', policyName });
const telegram = (code: number, description: string, retryAfter?: number): string =>
  json({
    ok: false,
    error_code: code,
    description,
    ...(retryAfter ? { parameters: { retry_after: retryAfter } } : {}),
  });
const sheets = (code: number, status: string): string =>
  json({ error: { code, message: 'quota', status } });

interface Row {
  row: string;
  provider: ProviderKind;
  status: number;
  body?: string;
  headers?: Record<string, string>;
  errorClass: string;
  providerCode?: string;
  retryAfterMs?: number;
}

/** One row per line of docs/provider-errors.md (network rows: classify-network.test.ts). */
const rows: Row[] = [
  ...[408, 500, 502, 503, 504].map((status): Row => ({
    row: `any ${status} with Retry-After seconds`,
    provider: 'generic',
    status,
    headers: { 'Retry-After': '7' },
    errorClass: 'transient',
    retryAfterMs: 7000,
  })),
  {
    row: 'any 503 with Retry-After as an HTTP date',
    provider: 'elevenlabs',
    status: 503,
    headers: { 'retry-after': new Date(NOW + 30_000).toUTCString() },
    errorClass: 'transient',
    retryAfterMs: 30_000,
  },
  {
    row: 'ElevenLabs 429 concurrent_limit_exceeded (detail.code)',
    provider: 'elevenlabs',
    status: 429,
    body: eleven({ code: 'concurrent_limit_exceeded', message: 'm' }),
    errorClass: 'transient/concurrency',
    providerCode: 'concurrent_limit_exceeded',
  },
  {
    row: 'ElevenLabs 429 too_many_concurrent_requests (older detail.status)',
    provider: 'elevenlabs',
    status: 429,
    body: eleven({ status: 'too_many_concurrent_requests', message: 'm' }),
    errorClass: 'transient/concurrency',
  },
  {
    row: 'ElevenLabs 429 rate_limit_exceeded with Retry-After',
    provider: 'elevenlabs',
    status: 429,
    body: eleven({ status: 'rate_limit_exceeded' }),
    headers: { 'retry-after': '2' },
    errorClass: 'transient',
    retryAfterMs: 2000,
  },
  {
    row: 'ElevenLabs 429 system_busy',
    provider: 'elevenlabs',
    status: 429,
    body: eleven({ status: 'system_busy' }),
    errorClass: 'transient',
    providerCode: 'system_busy',
  },
  {
    row: 'ElevenLabs 401 invalid_api_key',
    provider: 'elevenlabs',
    status: 401,
    body: eleven({ status: 'invalid_api_key' }),
    errorClass: 'permanent/service',
  },
  {
    row: 'ElevenLabs 401 missing_permissions',
    provider: 'elevenlabs',
    status: 401,
    body: eleven({ status: 'missing_permissions' }),
    errorClass: 'permanent/service',
  },
  {
    row: 'ElevenLabs 401 quota_exceeded',
    provider: 'elevenlabs',
    status: 401,
    body: eleven({ status: 'quota_exceeded' }),
    errorClass: 'permanent/service',
    providerCode: 'quota_exceeded',
  },
  {
    row: 'ElevenLabs 400 voice_not_found',
    provider: 'elevenlabs',
    status: 400,
    body: eleven({ status: 'voice_not_found' }),
    errorClass: 'permanent/request',
  },
  {
    row: 'ElevenLabs 400 max_character_limit_exceeded',
    provider: 'elevenlabs',
    status: 400,
    body: eleven({ status: 'max_character_limit_exceeded' }),
    errorClass: 'permanent/request',
  },
  {
    row: 'ElevenLabs 422 validation',
    provider: 'elevenlabs',
    status: 422,
    body: json({ detail: [{ loc: ['body', 'text'], msg: 'field required' }] }),
    errorClass: 'permanent/request',
    providerCode: 'validation_error',
  },
  {
    row: 'OpenAI 429 rate_limit_exceeded with retry-after-ms',
    provider: 'openai',
    status: 429,
    body: openai('rate_limit_exceeded', 'requests'),
    headers: { 'retry-after-ms': '1500', 'retry-after': '9' },
    errorClass: 'transient',
    retryAfterMs: 1500,
  },
  {
    row: 'OpenAI 429 rate_limit_exceeded with retry-after',
    provider: 'openai',
    status: 429,
    body: openai('rate_limit_exceeded', 'requests'),
    headers: { 'retry-after': '3' },
    errorClass: 'transient',
    retryAfterMs: 3000,
  },
  {
    row: 'OpenAI 429 rate_limit_exceeded with x-ratelimit-reset-* (the exhausted one)',
    provider: 'openai',
    status: 429,
    body: openai('rate_limit_exceeded', 'tokens'),
    headers: {
      'x-ratelimit-remaining-requests': '5',
      'x-ratelimit-reset-requests': '20ms',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '6m0s',
    },
    errorClass: 'transient',
    retryAfterMs: 360_000,
  },
  {
    row: 'OpenAI 429 insufficient_quota',
    provider: 'openai',
    status: 429,
    body: openai('insufficient_quota', 'insufficient_quota'),
    errorClass: 'permanent/service',
    providerCode: 'insufficient_quota',
  },
  {
    row: 'OpenAI 429 type insufficient_quota without a code',
    provider: 'openai',
    status: 429,
    body: openai(null, 'insufficient_quota'),
    errorClass: 'permanent/service',
  },
  {
    row: 'OpenAI 401',
    provider: 'openai',
    status: 401,
    body: openai('invalid_api_key', 'invalid_request_error'),
    errorClass: 'permanent/service',
  },
  {
    row: 'OpenAI 403',
    provider: 'openai',
    status: 403,
    body: openai('unsupported_country_region_territory', 'request_forbidden'),
    errorClass: 'permanent/service',
  },
  {
    row: 'OpenAI 400',
    provider: 'openai',
    status: 400,
    body: openai('context_length_exceeded', 'invalid_request_error'),
    errorClass: 'permanent/request',
  },
  {
    row: 'OpenAI 404',
    provider: 'openai',
    status: 404,
    body: openai('model_not_found', 'invalid_request_error'),
    errorClass: 'permanent/request',
  },
  {
    row: 'OpenAI 422',
    provider: 'openai',
    status: 422,
    body: openai(null, 'invalid_request_error'),
    errorClass: 'permanent/request',
  },
  {
    row: 'Twilio 429',
    provider: 'twilio',
    status: 429,
    body: twilio(20429, 429),
    errorClass: 'transient',
    providerCode: '20429',
  },
  {
    row: 'Twilio code 20429',
    provider: 'twilio',
    status: 400,
    body: twilio(20429, 400),
    errorClass: 'transient',
  },
  {
    row: 'Twilio 5xx on create call',
    provider: 'twilio',
    status: 502,
    body: twilio(20502, 502),
    errorClass: 'transient',
  },
  ...[21211, 21214, 21217, 21610].map((code): Row => ({
    row: `Twilio ${code}`,
    provider: 'twilio',
    status: 400,
    body: twilio(code, 400),
    errorClass: 'permanent/request',
    providerCode: String(code),
  })),
  {
    row: 'Twilio 20003 (auth)',
    provider: 'twilio',
    status: 401,
    body: twilio(20003, 401),
    errorClass: 'permanent/service',
  },
  {
    row: 'Twilio 21210 (From not verified)',
    provider: 'twilio',
    status: 400,
    body: twilio(21210, 400),
    errorClass: 'permanent/service',
  },
  {
    row: 'HubSpot 429 TEN_SECONDLY_ROLLING',
    provider: 'hubspot',
    status: 429,
    body: hubspot('TEN_SECONDLY_ROLLING'),
    headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' },
    errorClass: 'transient',
    providerCode: 'TEN_SECONDLY_ROLLING',
    retryAfterMs: 10_000,
  },
  {
    row: 'HubSpot 429 DAILY',
    provider: 'hubspot',
    status: 429,
    body: hubspot('DAILY'),
    errorClass: 'permanent/service',
    providerCode: 'DAILY',
  },
  {
    row: 'HubSpot 401',
    provider: 'hubspot',
    status: 401,
    body: json({ status: 'error', message: 'x', category: 'INVALID_AUTHENTICATION' }),
    errorClass: 'permanent/service',
  },
  {
    row: 'Telegram 429 parameters.retry_after',
    provider: 'telegram',
    status: 429,
    body: telegram(429, 'Too Many Requests: retry after 17', 17),
    headers: { 'retry-after': '1' },
    errorClass: 'transient',
    retryAfterMs: 17_000,
  },
  {
    row: 'Telegram 400 chat not found',
    provider: 'telegram',
    status: 400,
    body: telegram(400, 'Bad Request: chat not found'),
    errorClass: 'permanent/service',
    providerCode: 'chat not found',
  },
  {
    row: 'Telegram 403 bot was blocked',
    provider: 'telegram',
    status: 403,
    body: telegram(403, 'Forbidden: bot was blocked by the user'),
    errorClass: 'permanent/service',
  },
  {
    row: 'Google Sheets 429 RESOURCE_EXHAUSTED',
    provider: 'sheets',
    status: 429,
    body: sheets(429, 'RESOURCE_EXHAUSTED'),
    errorClass: 'transient',
    providerCode: 'RESOURCE_EXHAUSTED',
  },
  {
    row: 'Google Sheets 403',
    provider: 'sheets',
    status: 403,
    body: sheets(403, 'PERMISSION_DENIED'),
    errorClass: 'permanent/service',
  },
  {
    row: 'Google Sheets 404',
    provider: 'sheets',
    status: 404,
    body: sheets(404, 'NOT_FOUND'),
    errorClass: 'permanent/service',
  },
];

describe('classifyHttpResponse: every row of docs/provider-errors.md', () => {
  it.each(rows)('$row → $errorClass', (row) => {
    const error = classifyHttpResponse(
      row.provider,
      row.status,
      row.headers ?? {},
      row.body ?? '',
      { now: NOW },
    );
    expect(error.errorClass).toBe(row.errorClass);
    expect(error.status).toBe(row.status);
    if (row.providerCode !== undefined) expect(error.providerCode).toBe(row.providerCode);
    if (row.retryAfterMs !== undefined) expect(error.retryAfterMs).toBe(row.retryAfterMs);
  });
});

describe('classifyHttpResponse: messages and fields', () => {
  it('says "503 Service Unavailable" for an uncoded 503, as in the seed log', () => {
    const error = classifyHttpResponse(
      'elevenlabs',
      503,
      {},
      json({ detail: 'Service Unavailable' }),
    );
    expect(error.message).toBe('503 Service Unavailable');
    expect(error.service).toBe('ElevenLabs');
  });

  it('names the status and the provider code for a coded answer', () => {
    const error = classifyHttpResponse(
      'elevenlabs',
      401,
      {},
      eleven({ status: 'quota_exceeded', message: 'This request exceeds your quota.' }),
    );
    expect(error.message).toBe('401 quota_exceeded: This request exceeds your quota.');
  });

  it('takes the service name from the caller', () => {
    expect(classifyHttpResponse('openai', 500, {}, '', { service: 'OpenAI TTS' }).service).toBe(
      'OpenAI TTS',
    );
  });

  it('strips secrets, key-like words and full phone numbers from the provider message', () => {
    const body = openai(
      'invalid_api_key',
      'invalid_request_error',
      'Incorrect API key provided: sk-live-abcdefgh1234 for +14155550123 using tok-SECRET-9',
    );
    const error = classifyHttpResponse('openai', 401, {}, body, { secrets: ['tok-SECRET-9'] });
    expect(error.message).not.toMatch(/abcdefgh1234|tok-SECRET-9|4155550123/);
    expect(error.message).toContain('+1415***0123');
  });

  it('treats a body that is not JSON by the status alone', () => {
    const error = classifyHttpResponse('hubspot', 502, {}, '<html>Bad gateway</html>');
    expect(error.errorClass).toBe('transient');
    expect(error.message).toBe('502 Bad Gateway');
  });

  it('treats an unexpected success status as a transient failure, not a crash', () => {
    expect(classifyHttpResponse('openai', 204, {}, '').errorClass).toBe('transient');
  });

  it('defaults: other 4xx are about the request, 402 about the service', () => {
    expect(classifyHttpResponse('generic', 409, {}, '').errorClass).toBe('permanent/request');
    expect(classifyHttpResponse('generic', 402, {}, '').errorClass).toBe('permanent/service');
  });
});
