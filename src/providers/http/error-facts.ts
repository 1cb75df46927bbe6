import { isRecord, parseJson, stringField as str, type JsonObject as Json } from './json.ts';
import type { ProviderKind } from './provider-kind.ts';

/** What a provider's error body says, in its own dialect. */
export interface ErrorFacts {
  /** The provider's own error code (`quota_exceeded`, `21211`, `TEN_SECONDLY_ROLLING` …). */
  code?: string | undefined;
  /** The provider's message, unredacted: the classifier redacts it. */
  message?: string | undefined;
  /** OpenAI's `error.type` (`insufficient_quota`). */
  type?: string | undefined;
  /** Telegram's `parameters.retry_after`, in seconds. */
  retryAfterSeconds?: number | undefined;
}

function openAi(body: Json): ErrorFacts {
  const error = isRecord(body.error) ? body.error : {};
  const type = str(error.type);
  // `type` is a category (`server_error`); only `insufficient_quota` comes as a type alone
  const code = str(error.code) ?? (type === 'insufficient_quota' ? type : undefined);
  return { code, type, message: str(error.message) };
}

function elevenLabs(body: Json): ErrorFacts {
  const detail = body.detail;
  if (isRecord(detail)) {
    return { code: str(detail.code) ?? str(detail.status), message: str(detail.message) };
  }
  if (Array.isArray(detail)) {
    const first: unknown = detail[0];
    return { code: 'validation_error', message: isRecord(first) ? str(first.msg) : undefined };
  }
  return { message: str(detail) };
}

function telegram(body: Json): ErrorFacts {
  const parameters = isRecord(body.parameters) ? body.parameters : {};
  const description = str(body.description);
  const retryAfter = parameters.retry_after;
  return {
    // "Bad Request: chat not found" → "chat not found"
    code: description?.replace(/^(Bad Request|Forbidden|Unauthorized|Not Found|Conflict):\s*/i, ''),
    retryAfterSeconds: typeof retryAfter === 'number' ? retryAfter : undefined,
  };
}

function sheets(body: Json): ErrorFacts {
  const error = isRecord(body.error) ? body.error : {};
  return { code: str(error.status), message: str(error.message) };
}

const readers: Record<ProviderKind, (body: Json) => ErrorFacts> = {
  openai: openAi,
  elevenlabs: elevenLabs,
  twilio: (body) => ({ code: str(body.code), message: str(body.message) }),
  hubspot: (body) => ({
    code: str(body.policyName) ?? str(body.category),
    message: str(body.message),
  }),
  telegram,
  sheets,
  generic: () => ({}),
};

/** Reads the provider's error code and message from a response body; {} if it has none. */
export function readErrorFacts(provider: ProviderKind, bodyText: string): ErrorFacts {
  const body = parseJson(bodyText);
  return isRecord(body) ? readers[provider](body) : {};
}
