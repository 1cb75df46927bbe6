import { STATUS_CODES } from 'node:http';
import {
  PermanentServiceError,
  TransientServiceError,
  type ResponseHeaders,
} from '../../resilience/index.ts';
import { header } from '../../resilience/http/headers.ts';
import { retryAfterFromHeaders } from '../../resilience/http/retry-after.ts';
import { statusVerdict } from '../../resilience/http/status-verdict.ts';
import { readErrorFacts, type ErrorFacts } from './error-facts.ts';
import { providerDisplayName, type ProviderKind } from './provider-kind.ts';
import { shortText } from '../../redaction/error-text.ts';
import { openAiRateLimitReset } from './retry-after.ts';

export interface ClassifyOptions {
  /** The service name the error carries (default: the provider's display name). */
  service?: string | undefined;
  /** Secrets to strip from the provider's message (keys, tokens). */
  secrets?: readonly string[] | undefined;
  /** Now, in ms since the epoch, to turn an HTTP-date `Retry-After` into a delay. */
  now?: number | undefined;
}

type Verdict =
  | { kind: 'transient'; concurrency?: boolean; retryAfterMs?: number | undefined }
  | { kind: 'permanent'; scope: 'service' | 'request' };

interface Answer {
  status: number;
  facts: ErrorFacts;
  headers: ResponseHeaders;
  now: number;
}

const transient = (retryAfterMs?: number): Verdict => ({ kind: 'transient', retryAfterMs });
const service: Verdict = { kind: 'permanent', scope: 'service' };
const request: Verdict = { kind: 'permanent', scope: 'request' };
const hinted = (a: Answer): number | undefined => retryAfterFromHeaders(a.headers, a.now);

/** Provider rules, checked before the common ones (docs/provider-errors.md, one row each). */
const rules: Record<ProviderKind, (a: Answer) => Verdict | undefined> = {
  openai: (a) => {
    if (a.status === 429) {
      if (a.facts.type === 'insufficient_quota' || a.facts.code === 'insufficient_quota') {
        return service;
      }
      return transient(hinted(a) ?? openAiRateLimitReset(a.headers));
    }
    return undefined;
  },
  elevenlabs: (a) => {
    const code = a.facts.code;
    if (
      a.status === 429 &&
      (code === 'concurrent_limit_exceeded' || code === 'too_many_concurrent_requests')
    ) {
      return { kind: 'transient', concurrency: true, retryAfterMs: hinted(a) };
    }
    return undefined;
  },
  twilio: (a) => {
    const code = a.facts.code;
    if (a.status === 429 || code === '20429') return transient(hinted(a));
    if (code !== undefined && ['21211', '21214', '21217', '21610'].includes(code)) return request;
    if (code === '20003' || code === '21210') return service;
    return undefined;
  },
  hubspot: (a) => {
    if (a.status !== 429) return undefined;
    if (a.facts.code === 'DAILY') return service;
    const interval = Number(header(a.headers, 'x-hubspot-ratelimit-interval-milliseconds'));
    const policyWindow = a.facts.code === 'TEN_SECONDLY_ROLLING' ? 10_000 : undefined;
    return transient(hinted(a) ?? policyWindow ?? (interval > 0 ? interval : undefined));
  },
  telegram: (a) => {
    if (a.status === 429) {
      const seconds = a.facts.retryAfterSeconds;
      return transient(seconds !== undefined ? seconds * 1000 : hinted(a));
    }
    if (a.status === 400 && a.facts.code?.toLowerCase().includes('chat not found')) return service;
    if (a.status === 404) return service; // a bad bot token answers 404
    return undefined;
  },
  sheets: (a) => (a.status === 404 ? service : undefined),
  generic: () => undefined,
};

/** The rule every service shares (the engine's, as `errorFromResponse` applies it). */
function commonRule(a: Answer): Verdict {
  const verdict = statusVerdict(a.status);
  if (verdict.kind === 'permanent') return verdict;
  // an unexpected 1xx/2xx/3xx is not what was asked for: no wait to honour
  return transient(a.status >= 400 ? hinted(a) : undefined);
}

function messageOf(status: number, facts: ErrorFacts, secrets: readonly string[]): string {
  if (facts.code === undefined) return `${status} ${STATUS_CODES[status] ?? 'Unexpected Status'}`;
  const code = shortText(facts.code, secrets, 60);
  return facts.message === undefined
    ? `${status} ${code}`
    : `${status} ${code}: ${shortText(facts.message, secrets)}`;
}

/**
 * Turns an HTTP answer that is not the expected success into the engine's taxonomy, on the
 * status AND the provider's own error code (docs/provider-errors.md). The message is short, names
 * the status and the provider's code, and never holds a secret, a request header or a full
 * phone number.
 */
export function classifyHttpResponse(
  provider: ProviderKind,
  status: number,
  headers: ResponseHeaders,
  bodyText: string,
  options: ClassifyOptions = {},
): TransientServiceError | PermanentServiceError {
  const facts = readErrorFacts(provider, bodyText);
  const answer: Answer = { status, facts, headers, now: options.now ?? Date.now() };
  const verdict = rules[provider](answer) ?? commonRule(answer);
  const secrets = options.secrets ?? [];
  const fields = {
    service: options.service ?? providerDisplayName[provider],
    status,
    providerCode: facts.code === undefined ? undefined : shortText(facts.code, secrets, 60),
  };
  const message = messageOf(status, facts, secrets);
  if (verdict.kind === 'permanent') {
    return new PermanentServiceError(message, { ...fields, scope: verdict.scope });
  }
  return new TransientServiceError(message, {
    ...fields,
    retryAfterMs: verdict.retryAfterMs,
    concurrency: verdict.concurrency ?? false,
  });
}
