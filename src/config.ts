import { existsSync, readFileSync } from 'node:fs';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { parseContactsDefaults } from './agent/contacts/contact-row.ts';
import { describeConfigIssues } from './config-issues.ts';
import { parseConfigJson } from './config-json.ts';
import { openAiDefaults } from './providers/index.ts';
import type { PolicyConfig } from './resilience/index.ts';
import { MAX_TIMER_SECONDS } from './timer-limit.ts';

/**
 * The application's configuration: the seed's names and defaults (times in seconds), from a
 * JSON file, with per-service overrides. This file is the one place the seed's values live.
 */

export { MAX_TIMER_SECONDS };

/** A duration in seconds: > 0 (or ≥ `min`), and no longer than Node's longest timer. */
const seconds = (what: string, min?: number) => {
  const lower = min === undefined ? '> 0' : `≥ ${min}`;
  const expected = `${what} in seconds, a number ${lower} and at most ${MAX_TIMER_SECONDS} (24.8 days)`;
  const schema = z
    .number({ error: expected })
    .positive({ error: expected })
    .max(MAX_TIMER_SECONDS, { error: expected });
  return min === undefined ? schema : schema.min(min, { error: expected });
};

/**
 * The shortest lease: it is renewed every third of itself, so a shorter one would be lost
 * (and its contact taken over) by an event loop that stalls for a second or two.
 */
export const MIN_LEASE_SECONDS = 5;
const wholeNumber = (min: number) =>
  z
    .number({ error: `a whole number ≥ ${min}` })
    .int({ error: `a whole number ≥ ${min}` })
    .min(min, { error: `a whole number ≥ ${min}` });
const share = z
  .number({ error: 'a share between 0 and 1' })
  .min(0, { error: 'a share between 0 and 1' })
  .max(1, { error: 'a share between 0 and 1' });

/** The seed's values and ours, one place each. */
export const DEFAULTS = {
  retry: {
    max_retries: 3,
    initial_delay: 5,
    backoff_factor: 2,
    max_delay: 60,
    jitter: 'full',
    budget: {},
  },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 10, half_open_max_calls: 1 },
  timeout: { attempt: 30, total: 120 },
  bulkhead: { max_concurrent: 10, max_queue: 100 },
  health_check: { interval: 5, timeout: 5 },
  queue: { max_failed_attempts: 5, lease: 30 },
  llm: { max_notes_chars: openAiDefaults.maxNotesChars, retry_template_for: 3600 },
  run: { give_up_after: 600 },
  recovery: { ramp_seconds: 30 },
  logging: { waiting_summary_interval: 30 },
  audio: { retention: 3600 },
  contacts: { default_region: parseContactsDefaults.defaultRegion },
  shutdown_grace: 5,
  server: { drain_timeout: 30 },
  fleet: {
    key_prefix: 'call-agent',
    replicas_before_call: 0,
    replica_timeout: 1,
    // Twilio places 1 call per second per account by default (it queues the excess);
    // HubSpot's private apps may make 100 requests per 10 s on the lowest tier.
    limits: {
      twilio: { rate: { requests: 1, per: 1 } },
      hubspot: { rate: { requests: 100, per: 10 } },
    },
  },
} as const;

const REGION = 'a region code such as "US", "GB" or "DE" (ISO 3166-1 alpha-2)';
/** A region libphonenumber knows, in any case (`gb` is `GB`). */
const regionCode = z
  .string({ error: REGION })
  .transform((code) => code.toUpperCase())
  .pipe(
    z.custom<CountryCode>((code) => typeof code === 'string' && isSupportedCountry(code), {
      error: REGION,
    }),
  );

const retryFields = {
  max_retries: wholeNumber(0),
  initial_delay: seconds('a delay'),
  backoff_factor: z.number({ error: 'a number ≥ 1' }).min(1, { error: 'a number ≥ 1' }),
  max_delay: seconds('a delay cap'),
  jitter: z.enum(['none', 'full', 'equal', 'decorrelated'], {
    error: 'one of "none", "full", "equal", "decorrelated"',
  }),
  budget: z.union(
    [
      z.literal(false),
      z
        .object({
          max_tokens: z.number().positive().optional(),
          token_ratio: share.optional(),
          refill_per_second: z.number().min(0).optional(),
        })
        .strict(),
    ],
    { error: 'false, or { max_tokens, token_ratio, refill_per_second }' },
  ),
};

const breakerFields = {
  failure_threshold: wholeNumber(1),
  recovery_timeout: seconds('a timeout'),
  half_open_max_calls: wholeNumber(1),
  failure_rate: z
    .object({ threshold: share, window: seconds('a window'), minimum_calls: wholeNumber(1) })
    .strict()
    .optional(),
  slow_call: z
    .object({
      duration: seconds('a duration'),
      rate_threshold: share,
      window: seconds('a window'),
      minimum_calls: wholeNumber(1),
    })
    .strict()
    .optional(),
};

const timeoutFields = { attempt: seconds('a timeout'), total: seconds('a timeout') };
const bulkheadFields = { max_concurrent: wholeNumber(1), max_queue: wholeNumber(0) };

/** An object schema whose fields fall back to `defaults`. */
function withDefaults<S extends z.ZodRawShape>(
  shape: S,
  defaults: Partial<Record<keyof S, unknown>>,
) {
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => {
      const fallback = defaults[key as keyof S];
      return [
        key,
        fallback === undefined ? schema : (schema as z.ZodType).default(fallback as never),
      ];
    }),
  ) as S;
  return z
    .object(fields)
    .strict()
    .prefault({} as never);
}

const policyShape = {
  retry: withDefaults(retryFields, DEFAULTS.retry),
  circuit_breaker: withDefaults(breakerFields, DEFAULTS.circuit_breaker),
  timeout: withDefaults(timeoutFields, DEFAULTS.timeout),
  bulkhead: withDefaults(bulkheadFields, DEFAULTS.bulkhead),
};

/** A service may override any part of the policy; what it leaves out comes from the top level. */
const serviceOverrideSchema = z
  .object({
    retry: z.object(retryFields).partial().strict().optional(),
    circuit_breaker: z.object(breakerFields).partial().strict().optional(),
    timeout: z.object(timeoutFields).partial().strict().optional(),
    bulkhead: z.object(bulkheadFields).partial().strict().optional(),
  })
  .strict();

export const SERVICE_KEYS = ['openai', 'elevenlabs', 'twilio', 'hubspot'] as const;
export type ServiceKey = (typeof SERVICE_KEYS)[number];

const LIMITS = 'limits of one service: { max_concurrent, rate: { requests, per } }';
const fleetLimitsSchema = z
  .object(
    {
      max_concurrent: wholeNumber(1).optional(),
      rate: z
        .object({ requests: wholeNumber(1), per: seconds('a window') }, { error: LIMITS })
        .strict()
        .optional(),
    },
    { error: LIMITS },
  )
  .strict();
const KEY_PREFIX = 'a Redis key prefix: letters, digits and punctuation, no braces or spaces';

const configSchema = z
  .object({
    ...policyShape,
    health_check: withDefaults(
      { interval: seconds('an interval'), timeout: seconds('a timeout') },
      DEFAULTS.health_check,
    ),
    services: z
      .object(Object.fromEntries(SERVICE_KEYS.map((k) => [k, serviceOverrideSchema.optional()])))
      .strict()
      .prefault({}),
    queue: withDefaults(
      { max_failed_attempts: wholeNumber(1), lease: seconds('a lease', MIN_LEASE_SECONDS) },
      DEFAULTS.queue,
    ),
    llm: withDefaults(
      { max_notes_chars: wholeNumber(0), retry_template_for: seconds('a time') },
      DEFAULTS.llm,
    ),
    run: withDefaults({ give_up_after: seconds('a wait') }, DEFAULTS.run),
    audio: withDefaults({ retention: seconds('a retention time') }, DEFAULTS.audio),
    contacts: withDefaults({ default_region: regionCode }, DEFAULTS.contacts),
    logging: withDefaults({ waiting_summary_interval: seconds('an interval') }, DEFAULTS.logging),
    recovery: withDefaults(
      {
        ramp_seconds: z
          .number({ error: 'seconds, a number ≥ 0 (0: no ramp)' })
          .min(0, { error: 'seconds, a number ≥ 0 (0: no ramp)' })
          .max(MAX_TIMER_SECONDS, { error: `seconds, at most ${MAX_TIMER_SECONDS}` }),
      },
      DEFAULTS.recovery,
    ),
    shutdown_grace: seconds('a grace period').default(DEFAULTS.shutdown_grace),
    server: withDefaults({ drain_timeout: seconds('a timeout') }, DEFAULTS.server),
    tts_fallback: z.enum(['none', 'openai'], { error: 'one of "none", "openai"' }).default('none'),
    /** A fleet of workers on Redis (`call-agent worker`, `run --queue redis`). */
    fleet: withDefaults(
      {
        key_prefix: z.string({ error: KEY_PREFIX }).regex(/^[^{}\s]+$/, { error: KEY_PREFIX }),
        replicas_before_call: z
          .number({ error: 'a whole number ≥ 0' })
          .int({ error: 'a whole number ≥ 0' })
          .min(0, { error: 'a whole number ≥ 0' }),
        replica_timeout: seconds('a timeout'),
        // what a file gives replaces the default limits as a whole
        limits: z
          .object(Object.fromEntries(SERVICE_KEYS.map((k) => [k, fleetLimitsSchema.optional()])))
          .strict(),
      },
      DEFAULTS.fleet,
    ),
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
export type FleetLimitsConfig = z.infer<typeof fleetLimitsSchema>;
type ServiceOverride = z.infer<typeof serviceOverrideSchema>;

/** A configuration problem, worded for the person who wrote the file. */
export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
}

/**
 * Validates a configuration object; throws ConfigError naming each bad key. `literals` are
 * the texts of numbers too large for a double, by dotted path (see `parseConfigJson`).
 */
export function parseConfig(
  input: unknown,
  source = 'configuration',
  literals: ReadonlyMap<string, string> = new Map(),
): AppConfig {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new ConfigError(describeConfigIssues(result.error.issues, input, source, literals));
  }
  return result.data;
}

export const DEFAULT_CONFIG_FILE = 'call-agent.config.json';

/**
 * The configuration file to read: `path` (`--config`), else the one CALL_AGENT_CONFIG names,
 * else `./call-agent.config.json` when it exists; undefined for none (all defaults).
 */
export function configFileFor(
  path: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { file: string | undefined; fromEnv: boolean } {
  if (path !== undefined) return { file: path, fromEnv: false };
  const named = env.CALL_AGENT_CONFIG?.trim();
  if (named) return { file: named, fromEnv: true };
  return {
    file: existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined,
    fromEnv: false,
  };
}

/**
 * Reads the JSON file at `path`, else the one CALL_AGENT_CONFIG names, else
 * `./call-agent.config.json` when it exists, and validates it; no file means all defaults.
 * Environment: TTS_FALLBACK_PROVIDER overrides `tts_fallback`.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const { file, fromEnv } = configFileFor(path, env);
  const origin = fromEnv ? ' (CALL_AGENT_CONFIG)' : '';
  let input: Record<string, unknown> = {};
  let literals: ReadonlyMap<string, string> = new Map();
  if (file !== undefined) {
    let text: string;
    try {
      // an editor's UTF-8 byte order mark is not part of the JSON
      text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    } catch (error) {
      throw new ConfigError(
        `cannot read config file ${file}${origin}: ${(error as Error).message}`,
      );
    }
    try {
      const parsed = parseConfigJson(text);
      input = parsed.value as Record<string, unknown>;
      literals = parsed.literals;
    } catch (error) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const fallback = env.TTS_FALLBACK_PROVIDER?.trim().toLowerCase();
  if (fallback) {
    if (fallback !== 'none' && fallback !== 'openai') {
      throw new ConfigError(
        `invalid environment: TTS_FALLBACK_PROVIDER = ${JSON.stringify(env.TTS_FALLBACK_PROVIDER)}: expected one of "none", "openai"`,
      );
    }
    input = { ...input, tts_fallback: fallback };
  }
  return parseConfig(input, file ?? 'the defaults', literals);
}

/** The policy of one service: the global policy with that service's overrides on top. */
export function policyFor(config: AppConfig, service: ServiceKey): PolicyConfig {
  const override = (config.services as Record<string, ServiceOverride | undefined>)[service] ?? {};
  return {
    retry: { ...config.retry, ...override.retry },
    circuit_breaker: { ...config.circuit_breaker, ...override.circuit_breaker },
    timeout: { ...config.timeout, ...override.timeout },
    bulkhead: { ...config.bulkhead, ...override.bulkhead },
  };
}

/** Config key of each provider's service name; the fallback voice is OpenAI's too. */
const SERVICE_KEY_OF: Readonly<Record<string, ServiceKey>> = {
  OpenAI: 'openai',
  'OpenAI TTS': 'openai',
  ElevenLabs: 'elevenlabs',
  Twilio: 'twilio',
  HubSpot: 'hubspot',
};

/** The fleet-wide limits of a provider by its service name (`Twilio` …), if it has any. */
export function fleetLimitsForService(
  config: AppConfig,
  service: string,
): FleetLimitsConfig | undefined {
  const key = SERVICE_KEY_OF[service];
  return key
    ? (config.fleet.limits as Record<string, FleetLimitsConfig | undefined>)[key]
    : undefined;
}

/**
 * The policy of a provider by its service name (`ElevenLabs` …): that service's overrides,
 * or the top-level policy for a service the configuration has no key for.
 */
export function policyForService(config: AppConfig, service: string): PolicyConfig {
  const key = SERVICE_KEY_OF[service];
  if (key) return policyFor(config, key);
  const { retry, circuit_breaker, timeout, bulkhead } = config;
  return { retry, circuit_breaker, timeout, bulkhead };
}

/**
 * The campaign's timings, from the configuration's seconds to the milliseconds the agent
 * runs on. A contact whose step failed after its retries waits as long as an open breaker
 * would (`retryDelayMs`).
 */
export function campaignTimings(config: AppConfig) {
  return {
    health: {
      intervalMs: config.health_check.interval * 1000,
      timeoutMs: config.health_check.timeout * 1000,
    },
    retryDelayMs: config.circuit_breaker.recovery_timeout * 1000,
    retryTemplateForMs: config.llm.retry_template_for * 1000,
    recoveryRampMs: config.recovery.ramp_seconds * 1000,
    waitingReportMs: config.logging.waiting_summary_interval * 1000,
    leaseMs: config.queue.lease * 1000,
  };
}
