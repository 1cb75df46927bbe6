import { isRecord } from '../http/json.ts';

/** `subscription` of a `GET /v1/user` answer. */
function subscriptionOf(user: unknown): Record<string, unknown> | undefined {
  return isRecord(user) && isRecord(user.subscription) ? user.subscription : undefined;
}

/**
 * True when fewer characters are left than one request needs (`needed`: the longest text
 * sent so far, at least 1): a quota with 21 characters left serves no script.
 */
export function quotaExhausted(user: unknown, needed = 1): boolean {
  const subscription = subscriptionOf(user);
  if (!subscription) return false;
  const { character_count: count, character_limit: limit } = subscription;
  if (typeof count !== 'number' || typeof limit !== 'number' || limit <= 0) return false;
  return limit - count < Math.max(1, needed);
}

/** When the character quota resets (`next_character_count_reset_unix`), in ms since the epoch. */
export function quotaResetAt(user: unknown): number | undefined {
  const reset = subscriptionOf(user)?.next_character_count_reset_unix;
  return typeof reset === 'number' ? reset * 1000 : undefined;
}
