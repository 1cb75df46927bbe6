import type { PolicyConfig } from './policy-config.ts';

type Rule = (value: unknown) => boolean;

const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const count =
  (min: number): Rule =>
  (value) =>
    isNumber(value) && Number.isInteger(value) && value >= min;
const atLeast =
  (min: number): Rule =>
  (value) =>
    isNumber(value) && value >= min;
const positive: Rule = (value) => isNumber(value) && value > 0;
const share: Rule = (value) => isNumber(value) && value > 0 && value <= 1;
const oneOf =
  (...choices: string[]): Rule =>
  (value) =>
    typeof value === 'string' && choices.includes(value);
const fn: Rule = (value) => typeof value === 'function';
const shown = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

/** Each field: its rule, what it must be (for the message), and whether it may be left out. */
type Fields = Record<string, [Rule, string, 'required' | 'optional']>;

const sections: Record<string, Fields | undefined> = {
  retry: {
    max_retries: [count(0), 'a whole number ≥ 0', 'required'],
    initial_delay: [atLeast(0), 'seconds ≥ 0', 'required'],
    backoff_factor: [atLeast(1), 'a number ≥ 1', 'required'],
    max_delay: [atLeast(0), 'seconds ≥ 0', 'optional'],
    jitter: [
      oneOf('none', 'full', 'equal', 'decorrelated'),
      'none, full, equal or decorrelated',
      'optional',
    ],
    budget: [
      (v) => v === false || (typeof v === 'object' && v !== null),
      'false or an object',
      'optional',
    ],
    should_retry: [fn, 'a function', 'optional'],
  },
  circuit_breaker: {
    failure_threshold: [count(1), 'a whole number ≥ 1', 'required'],
    recovery_timeout: [positive, 'seconds > 0', 'required'],
    half_open_max_calls: [count(1), 'a whole number ≥ 1', 'optional'],
    half_open_timeout: [positive, 'seconds > 0', 'optional'],
    is_failure: [fn, 'a function', 'optional'],
    failure_rate: [(v) => typeof v === 'object' && v !== null, 'an object', 'optional'],
    slow_call: [(v) => typeof v === 'object' && v !== null, 'an object', 'optional'],
  },
  'retry.budget': {
    max_tokens: [atLeast(0), 'a number ≥ 0', 'optional'],
    token_ratio: [atLeast(0), 'a number ≥ 0', 'optional'],
    refill_per_second: [atLeast(0), 'a number ≥ 0', 'optional'],
  },
  'circuit_breaker.failure_rate': {
    threshold: [share, 'a share in (0, 1]', 'required'],
    window: [positive, 'seconds > 0', 'required'],
    minimum_calls: [count(1), 'a whole number ≥ 1', 'required'],
  },
  'circuit_breaker.slow_call': {
    duration: [positive, 'seconds > 0', 'required'],
    rate_threshold: [share, 'a share in (0, 1]', 'required'],
    window: [positive, 'seconds > 0', 'required'],
    minimum_calls: [count(1), 'a whole number ≥ 1', 'required'],
  },
  timeout: {
    attempt: [positive, 'seconds > 0', 'optional'],
    total: [positive, 'seconds > 0', 'optional'],
  },
  bulkhead: {
    max_concurrent: [count(1), 'a whole number ≥ 1', 'optional'],
    max_queue: [count(0), 'a whole number ≥ 0', 'optional'],
  },
};

const topLevel = new Set(['retry', 'circuit_breaker', 'timeout', 'bulkhead']);
const required = new Set(['retry', 'circuit_breaker']);

/**
 * Refuses a policy configuration with a value that would make no sense at run time (`NaN`
 * retries that never end, a threshold of 0, a negative timeout, an unknown key): one
 * RangeError that names every such field.
 */
export function checkPolicyConfig(service: string, config: PolicyConfig): void {
  const problems: string[] = [];
  const record = config as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!topLevel.has(key)) problems.push(`${key}: not a setting`);
  }
  for (const key of required) {
    if (typeof record[key] !== 'object' || record[key] === null) {
      problems.push(`${key}: required (an object)`);
    }
  }
  const checkSection = (path: string, value: unknown): void => {
    const fields = sections[path];
    if (fields === undefined || typeof value !== 'object' || value === null) return;
    const entries = value as Record<string, unknown>;
    for (const key of Object.keys(entries)) {
      if (!(key in fields)) problems.push(`${path}.${key}: not a setting`);
    }
    for (const [key, [rule, expected, presence]] of Object.entries(fields)) {
      const field = entries[key];
      if (field === undefined) {
        if (presence === 'required') problems.push(`${path}.${key}: required (${expected})`);
        continue;
      }
      if (!rule(field)) problems.push(`${path}.${key}: ${expected}, got ${shown(field)}`);
      else if (typeof field === 'object') checkSection(`${path}.${key}`, field);
    }
  };
  for (const key of topLevel) checkSection(key, record[key]);
  if (problems.length > 0) {
    throw new RangeError(`policy for ${service}: ${problems.join('; ')}`);
  }
}
