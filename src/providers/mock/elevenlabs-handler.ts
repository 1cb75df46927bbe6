import { STATUS_CODES } from 'node:http';
import { parseObject } from '../http/json.ts';
import { AUDIO_CONTENT_TYPE, defaultToneWav } from './audio-clip.ts';
import type { ProviderHandler } from './provider-handler.ts';
import { jsonReply, retryAfter } from './replies.ts';
import type { MockReply } from './mock-types.ts';

/** ElevenLabs' older error shape: `detail.status`; the newer one has `detail.code`. */
const detail = (status: number, code: string, message: string, headers = {}): MockReply =>
  jsonReply(status, { detail: { status: code, message } }, headers);

/** ElevenLabs' words for a request its plan's character quota cannot cover. */
const quotaExceeded = (quota: number, remaining: number, required: number): MockReply =>
  detail(
    401,
    'quota_exceeded',
    `This request exceeds your quota of ${quota}. You have ${remaining} credits remaining, while ${required} credits are required for this request.`,
  );

/** The text a TTS request asks to speak, if it names one. */
function textOf(body: string): string | undefined {
  const text = parseObject(body)?.text;
  return typeof text === 'string' ? text : undefined;
}

/** Named errors whose words do not depend on the plan (`quota_exceeded` does: see below). */
const NAMED: Record<string, () => MockReply> = {
  invalid_api_key: () => detail(401, 'invalid_api_key', 'Invalid API key'),
  missing_permissions: () =>
    detail(
      401,
      'missing_permissions',
      'The API key you used is missing the permission user_read to execute this operation.',
    ),
  voice_not_found: () =>
    detail(400, 'voice_not_found', 'A voice with the voice_id you requested was not found.'),
  max_character_limit_exceeded: () =>
    detail(
      400,
      'max_character_limit_exceeded',
      'You are sending too many characters in a single request.',
    ),
  concurrent_limit_exceeded: () =>
    jsonReply(429, {
      detail: {
        type: 'rate_limit_error',
        code: 'concurrent_limit_exceeded',
        message: 'Too many concurrent requests. Your plan allows 5 concurrent requests.',
      },
    }),
  too_many_concurrent_requests: () =>
    detail(429, 'too_many_concurrent_requests', 'You have too many concurrent requests.'),
  rate_limit_exceeded: () => detail(429, 'rate_limit_exceeded', 'Rate limit exceeded.'),
  system_busy: () =>
    detail(429, 'system_busy', 'The system is experiencing heavy traffic, please try again.'),
  validation_error: () =>
    jsonReply(422, {
      detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }],
    }),
};

export interface ElevenLabsMockOptions {
  /** Characters per quota period before `quota_exceeded`. */
  characterLimit?: number;
  /** How long a quota period lasts; the count starts again at its end. */
  quotaPeriodMs?: number;
}

/** The mock's ElevenLabs plan: printed by `mock-providers`, changed with its flags. */
export const elevenLabsMockDefaults = {
  characterLimit: 10_000_000,
  quotaPeriodMs: 30 * 86_400_000,
};

/**
 * `POST /v1/text-to-speech/{voice_id}`, `GET /v1/user`, `GET /v1/user/subscription`. Counts
 * the characters spoken; past the limit it answers 401 `quota_exceeded` and `/v1/user` shows
 * the quota used up.
 */
export function createElevenLabsHandler(options: ElevenLabsMockOptions = {}): ProviderHandler {
  const { characterLimit, quotaPeriodMs } = { ...elevenLabsMockDefaults, ...options };
  let characterCount = 0;
  /** When the current quota period ends (set by the first request). */
  let resetAt: number | undefined;
  const roll = (now: number): number => {
    resetAt ??= now + quotaPeriodMs;
    while (now >= resetAt) {
      resetAt += quotaPeriodMs;
      characterCount = 0;
    }
    return resetAt;
  };
  const subscription = (now: number) => ({
    tier: 'creator',
    status: 'active',
    character_count: characterCount,
    character_limit: characterLimit,
    next_character_count_reset_unix: Math.ceil(roll(now) / 1000),
  });

  /** The quota refusal with the plan's real numbers, as ElevenLabs words it. */
  const refuse = (required: number): MockReply =>
    quotaExceeded(characterLimit, Math.max(0, characterLimit - characterCount), required);

  function speak(body: string, now: number): MockReply {
    roll(now);
    const text = textOf(body);
    if (text === undefined || text === '') return NAMED.validation_error!();
    if (characterCount + text.length > characterLimit) return refuse(text.length);
    characterCount += text.length;
    return { status: 200, headers: { 'content-type': AUDIO_CONTENT_TYPE }, body: defaultToneWav() };
  }

  return {
    id: 'elevenlabs',
    endpoint(request) {
      if (request.method === 'POST' && /^\/v1\/text-to-speech\/[^/]+$/.test(request.path))
        return 'operation';
      if (request.method === 'GET' && request.path === '/v1/user') return 'probe';
      if (request.method === 'GET' && request.path === '/v1/user/subscription') return 'other';
      return undefined;
    },
    checkAuth(request) {
      if (request.headers['xi-api-key']) return undefined;
      return detail(
        401,
        'needs_authorization',
        'Neither authorization header nor xi-api-key received, please provide one.',
      );
    },
    serve(request, now) {
      if (request.method === 'POST') return speak(request.body, now);
      if (request.path === '/v1/user/subscription') return jsonReply(200, subscription(now));
      return jsonReply(200, {
        user_id: 'mock-user',
        subscription: subscription(now),
        is_new_user: false,
      });
    },
    contentType: (request) => (request.method === 'POST' ? AUDIO_CONTENT_TYPE : 'application/json'),
    namedError: (code, request) =>
      code === 'quota_exceeded' ? refuse(textOf(request.body)?.length ?? 0) : NAMED[code]?.(),
    // a 5xx carries no code: its message stays "503 Service Unavailable", as in the seed's log
    statusError: (status, seconds) =>
      jsonReply(status, { detail: STATUS_CODES[status] ?? 'Error' }, retryAfter(seconds)),
    rateLimited: (seconds) =>
      detail(429, 'rate_limit_exceeded', 'Rate limit exceeded.', retryAfter(seconds)),
    notFound: () => jsonReply(404, { detail: 'Not Found' }),
    reset() {
      characterCount = 0;
      resetAt = undefined;
    },
  };
}
