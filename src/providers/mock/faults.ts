import { z } from 'zod';
import { mockProviderIds } from './mock-types.ts';

/** One way a mock answer can go. */
export type Fault =
  | { type: 'ok' }
  /** The provider's error body for this status, optionally with `Retry-After`. */
  | { type: 'status'; status: number; retryAfterSeconds?: number | undefined }
  /** A named error of the provider (`quota_exceeded`, `21211`, `DAILY` …). */
  | { type: 'code'; code: string }
  /** A 429 rate limit in the provider's dialect, with `Retry-After`. */
  | { type: 'rate-limit'; retryAfterSeconds: number }
  /** Served normally (side effects happen), first byte sent after `ms`. */
  | { type: 'slow'; ms: number }
  /** The socket is destroyed before any answer; the request is not processed. */
  | { type: 'reset' }
  /** 200 with an empty body. */
  | { type: 'empty' }
  /** 200 with an HTML page where JSON or audio was expected. */
  | { type: 'garbage' }
  /** Processed (a call is created), then the connection is reset: the ambiguous case. */
  | { type: 'accept-then-reset' }
  /** Processed, then answered with this status (e.g. 502): also ambiguous. */
  | { type: 'accept-then-status'; status: number };

/**
 * A fault, or its shorthand: `ok`, `503`, `rate-limit`, `rate-limit:5`, `slow:2000`, `reset`,
 * `empty` (or `empty-audio`), `garbage`, `accept-then-reset`, `accept-then-502`; anything
 * else is a named provider error (`quota_exceeded`, `21211`, `TEN_SECONDLY_ROLLING` …).
 */
export type FaultInput = Fault | string;

const faultSchema: z.ZodType<Fault> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ok') }),
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfterSeconds: z.number().min(0).optional(),
  }),
  z.object({ type: z.literal('code'), code: z.string().min(1) }),
  z.object({ type: z.literal('rate-limit'), retryAfterSeconds: z.number().min(0) }),
  z.object({ type: z.literal('slow'), ms: z.number().min(0) }),
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('empty') }),
  z.object({ type: z.literal('garbage') }),
  z.object({ type: z.literal('accept-then-reset') }),
  z.object({ type: z.literal('accept-then-status'), status: z.number().int().min(400).max(599) }),
]);

/** Reads a fault shorthand (see FaultInput). */
export function parseFault(input: FaultInput): Fault {
  if (typeof input !== 'string') return faultSchema.parse(input);
  const text = input.trim();
  const [name = '', arg] = text.split(':', 2);
  const number = arg === undefined ? undefined : Number(arg);
  if (text === 'ok' || text === 'reset' || text === 'garbage' || text === 'accept-then-reset') {
    return { type: text };
  }
  if (text === 'empty' || text === 'empty-audio') return { type: 'empty' };
  if (/^[45]\d\d$/.test(text)) return { type: 'status', status: Number(text) };
  if (name === 'rate-limit') return { type: 'rate-limit', retryAfterSeconds: number ?? 1 };
  if (name === 'slow' && number !== undefined && number >= 0) return { type: 'slow', ms: number };
  const accepted = /^accept-then-([45]\d\d)$/.exec(text);
  if (accepted) return { type: 'accept-then-status', status: Number(accepted[1]) };
  if (text === '') throw new Error('empty fault');
  return { type: 'code', code: text };
}

/** A short name for a fault, as recorded requests carry it. */
export function faultLabel(fault: Fault): string {
  switch (fault.type) {
    case 'status':
      return String(fault.status);
    case 'code':
      return fault.code;
    case 'rate-limit':
      return `rate-limit:${fault.retryAfterSeconds}`;
    case 'slow':
      return `slow:${fault.ms}`;
    case 'accept-then-status':
      return `accept-then-${fault.status}`;
    default:
      return fault.type;
  }
}

const faultInput = z.union([z.string(), faultSchema]);

/**
 * Down from `from` to `to` (mock clock, ms since the epoch), or, relative to when the faults
 * are set, from `afterMs` (default 0) for `durationMs`.
 */
const outageSchema = z
  .object({
    from: z.number().optional(),
    to: z.number().optional(),
    afterMs: z.number().min(0).optional(),
    durationMs: z.number().min(0).optional(),
    /** What the provider answers while down (default `503`). */
    fault: faultInput.optional(),
  })
  .strict()
  .refine(
    (outage) =>
      outage.durationMs !== 0 &&
      !(outage.from !== undefined && outage.to !== undefined && outage.to <= outage.from),
    'this outage covers no time (durationMs 0, or to not after from)',
  );

const providerFaultsSchema = z
  .object({
    /** Faults for the next operations (chat, TTS, create call, CRM record), one each, in order. */
    script: z.array(faultInput).optional(),
    /** Faults for the next health probes. */
    probeScript: z.array(faultInput).optional(),
    /** Faults for the next call look-ups (Twilio `GET Calls.json`). */
    lookupScript: z.array(faultInput).optional(),
    /** Windows when every request of the provider fails. */
    outages: z.array(outageSchema).optional(),
    /** Probability that an operation fails (seeded random). */
    errorRate: z.number().min(0).max(1).optional(),
    /** How it fails (default `503`). */
    errorFault: faultInput.optional(),
    /** Added before every request of the provider is processed. */
    latencyMs: z.number().min(0).optional(),
  })
  .strict();

const providerEntry = providerFaultsSchema.nullable().optional();

/** Faults per provider; a provider set to null has its faults cleared. */
export const faultsConfigSchema = z
  .object({
    /** Seeds the error-rate random; restarts its sequence when given. */
    seed: z.number().int().optional(),
    openai: providerEntry,
    elevenlabs: providerEntry,
    twilio: providerEntry,
    hubspot: providerEntry,
  })
  .strict();

/**
 * Why a faults config would change nothing, or undefined when it changes something: the admin
 * endpoint refuses such a body, since it is most likely a wrong guess at the schema.
 */
export function whyFaultsChangeNothing(config: FaultsConfig): string | undefined {
  const named = mockProviderIds.filter((id) => config[id] !== undefined);
  if (named.length === 0) {
    return `the body names no provider: give ${mockProviderIds.join(', ')} (null clears one)`;
  }
  const empty = named.find((id) => {
    const entry = config[id];
    return entry !== null && entry !== undefined && Object.keys(entry).length === 0;
  });
  if (empty) {
    return `${empty} sets no fault: give one of ${providerFaultsSchema.keyof().options.join(', ')}, or null to clear it`;
  }
  return undefined;
}

export type OutageInput = z.infer<typeof outageSchema>;
export type ProviderFaultsInput = z.infer<typeof providerFaultsSchema>;
export type FaultsConfig = z.infer<typeof faultsConfigSchema>;

/** Validates a faults config (e.g. the admin endpoint's JSON); throws a readable error. */
export function parseFaultsConfig(input: unknown): FaultsConfig {
  const parsed = faultsConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid faults: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
