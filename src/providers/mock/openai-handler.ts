import { STATUS_CODES } from 'node:http';
import { isRecord, parseObject as parse } from '../http/json.ts';
import { AUDIO_CONTENT_TYPE, defaultToneWav } from './audio-clip.ts';
import type { ProviderHandler } from './provider-handler.ts';
import { jsonReply, retryAfter } from './replies.ts';
import type { MockReply, MockRequest } from './mock-types.ts';

const error = (
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers = {},
): MockReply => jsonReply(status, { error: { message, type, param: null, code } }, headers);

/** OpenAI shows the key it refused as `sk-abc…wxyz`: first 3 and last 4 characters. */
function maskedKey(request: MockRequest): string {
  const key = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  return key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}` : '***';
}

const NAMED: Record<string, (request: MockRequest) => MockReply> = {
  insufficient_quota: () =>
    error(
      429,
      'You exceeded your current quota, please check your plan and billing details.',
      'insufficient_quota',
      'insufficient_quota',
    ),
  rate_limit_exceeded: () =>
    error(
      429,
      'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 2s.',
      'requests',
      'rate_limit_exceeded',
      {
        'x-ratelimit-limit-requests': '3',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '2s',
        'x-ratelimit-limit-tokens': '40000',
        'x-ratelimit-remaining-tokens': '39000',
        'x-ratelimit-reset-tokens': '6m0s',
      },
    ),
  invalid_api_key: (request) =>
    error(
      401,
      `Incorrect API key provided: ${maskedKey(request)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    ),
  model_not_found: () =>
    error(
      404,
      'The model does not exist or you do not have access to it.',
      'invalid_request_error',
      'model_not_found',
    ),
  context_length_exceeded: () =>
    error(
      400,
      "This model's maximum context length is 128000 tokens.",
      'invalid_request_error',
      'context_length_exceeded',
    ),
  unsupported_country_region_territory: () =>
    error(
      403,
      'Country, region, or territory not supported',
      'request_forbidden',
      'unsupported_country_region_territory',
    ),
};

/** Reads "Name: …" from the user message, to greet the contact. */
function contactName(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages) {
    const content: unknown = isRecord(message) ? message.content : undefined;
    const match = typeof content === 'string' ? /^Name: (.+)$/m.exec(content) : null;
    if (match?.[1]) return match[1].trim();
  }
  return 'there';
}

function chat(request: MockRequest, now: number): MockReply {
  const body = parse(request.body);
  if (!body || typeof body.model !== 'string' || !Array.isArray(body.messages)) {
    return error(400, "'messages' and 'model' are required", 'invalid_request_error', null);
  }
  const content = `Hi ${contactName(body)}, this is Alex from Acme calling about your recent enquiry. Do you have two minutes to talk?`;
  return jsonReply(200, {
    id: `chatcmpl-mock${now}`,
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 60, completion_tokens: 25, total_tokens: 85 },
  });
}

function speech(request: MockRequest): MockReply {
  const body = parse(request.body);
  if (!body || typeof body.input !== 'string' || body.input === '') {
    return error(400, "'input' is required", 'invalid_request_error', null);
  }
  return { status: 200, headers: { 'content-type': AUDIO_CONTENT_TYPE }, body: defaultToneWav() };
}

/** `POST /v1/chat/completions`, `POST /v1/audio/speech`, `GET /v1/models`. */
export const openAiHandler: ProviderHandler = {
  id: 'openai',
  endpoint(request) {
    const route = `${request.method} ${request.path}`;
    if (route === 'POST /v1/chat/completions' || route === 'POST /v1/audio/speech')
      return 'operation';
    if (route === 'GET /v1/models') return 'probe';
    return undefined;
  },
  checkAuth(request) {
    if (/^Bearer \S+/.test(request.headers.authorization ?? '')) return undefined;
    return error(401, "You didn't provide an API key.", 'invalid_request_error', null);
  },
  serve(request, now) {
    if (request.path === '/v1/chat/completions') return chat(request, now);
    if (request.path === '/v1/audio/speech') return speech(request);
    return jsonReply(200, {
      object: 'list',
      data: [
        { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
        { id: 'gpt-4o-mini-tts', object: 'model', created: 1742403959, owned_by: 'system' },
      ],
    });
  },
  contentType: (request) =>
    request.path === '/v1/audio/speech' ? AUDIO_CONTENT_TYPE : 'application/json',
  namedError: (code, request) => NAMED[code]?.(request),
  statusError: (status, seconds) =>
    error(
      status,
      STATUS_CODES[status] ?? 'Error',
      status >= 500 ? 'server_error' : 'invalid_request_error',
      null,
      retryAfter(seconds),
    ),
  rateLimited: (seconds) =>
    error(
      429,
      'Rate limit reached. Please try again later.',
      'requests',
      'rate_limit_exceeded',
      retryAfter(seconds),
    ),
  notFound: () => error(404, 'Invalid URL', 'invalid_request_error', null),
  reset() {},
};
