/**
 * OpenAI's wait hints: `x-ratelimit-reset-*` durations ("6m0s", "1s", "20ms"). `Retry-After`
 * and `retry-after-ms` are read by the engine's `retryAfterFromHeaders`.
 */
import type { ResponseHeaders } from '../../resilience/index.ts';
import { header } from '../../resilience/http/headers.ts';

const DURATION =
  /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/** Parses a Go-style duration as OpenAI sends it ("6m0s", "1s", "20ms", "1h2m3.5s"). */
export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = DURATION.exec(value.trim());
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
  const [, h = '0', m = '0', s = '0', ms = '0'] = match;
  return Math.round(Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(ms));
}

/**
 * OpenAI's `x-ratelimit-reset-requests` / `-tokens`: the reset of the limit that is exhausted
 * (its `x-ratelimit-remaining-*` is 0), else the longest reset sent.
 */
export function openAiRateLimitReset(headers: ResponseHeaders): number | undefined {
  const limits = ['requests', 'tokens'].map((name) => ({
    reset: parseDuration(header(headers, `x-ratelimit-reset-${name}`)),
    exhausted: header(headers, `x-ratelimit-remaining-${name}`)?.trim() === '0',
  }));
  const known = limits.filter((limit) => limit.reset !== undefined);
  const exhausted = known.filter((limit) => limit.exhausted);
  const chosen = exhausted.length > 0 ? exhausted : known;
  if (chosen.length === 0) return undefined;
  return Math.max(...chosen.map((limit) => limit.reset ?? 0));
}
