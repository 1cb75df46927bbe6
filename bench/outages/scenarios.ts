import type {
  ElevenLabsMockOptions,
  FaultsConfig,
  MockProviderId,
} from '../../src/providers/index.ts';
import { seededRandom } from '../../src/providers/mock/seeded-random.ts';
import type { NetworkConditions } from './network.ts';
import type { RequestKind } from './request-meter.ts';

/** How long each provider takes to do its work when well (ms): ~3 s per contact. */
export const baselineLatencyMs: Readonly<Record<MockProviderId, number>> = {
  openai: 1_500,
  elevenlabs: 1_000,
  twilio: 300,
  hubspot: 200,
};
/** How long a health probe or a call look-up takes (ms). */
export const LIGHT_REQUEST_MS = 50;
const MINUTE = 60_000;

/** A change of the mock's faults at a time of the run (ms after its start). */
export interface FaultChange {
  atMs: number;
  faults: FaultsConfig;
}

/** One scripted failure, the same for every strategy. */
export interface Scenario {
  id: string;
  title: string;
  contacts: number;
  concurrency: number;
  seed: number;
  /** The provider that fails, and when (ms after the start): the figures look at this window. */
  failing: { provider: MockProviderId; service: string; fromMs: number; toMs: number };
  timeline: FaultChange[];
  conditions: NetworkConditions;
  elevenLabs?: ElevenLabsMockOptions | undefined;
}

export interface ScenarioOptions {
  contacts: number;
  concurrency: number;
  seed: number;
}

export const scenarioDefaults: ScenarioOptions = { contacts: 10_000, concurrency: 20, seed: 42 };

const SERVICE: Record<MockProviderId, string> = {
  openai: 'OpenAI',
  elevenlabs: 'ElevenLabs',
  twilio: 'Twilio',
  hubspot: 'HubSpot',
};

/**
 * The failure starts a fifth of the way into a campaign that meets no failure (contacts ÷
 * concurrency × 3 s), so it is mid-campaign at any size: 5 min for 10,000 contacts.
 */
const startOf = (o: ScenarioOptions): number =>
  Math.round(((o.contacts / o.concurrency) * 3_000) / 5);

const steady = (extra?: Partial<NetworkConditions>): NetworkConditions => ({
  latencyMs: (provider: MockProviderId, kind: RequestKind) =>
    kind === 'operation' ? baselineLatencyMs[provider] : LIGHT_REQUEST_MS,
  concurrencyLimit: () => undefined,
  ...extra,
});

/** A lognormal latency with this median and 99th percentile, from a seeded random. */
function lognormal(random: () => number, p50: number, p99: number): () => number {
  const sigma = Math.log(p99 / p50) / 2.326;
  return () => {
    const u = Math.max(random(), 1e-12);
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return p50 * Math.exp(sigma * normal);
  };
}

type Build = (o: ScenarioOptions) => Omit<Scenario, keyof ScenarioOptions>;

const window = (o: ScenarioOptions, provider: MockProviderId, minutes: number) => {
  const fromMs = startOf(o);
  return { provider, service: SERVICE[provider], fromMs, toMs: fromMs + minutes * MINUTE };
};

/** During the window, `during` replaces the provider's faults; after it they are cleared. */
const between = (
  failing: { provider: MockProviderId; fromMs: number; toMs: number },
  during: FaultsConfig[MockProviderId],
): FaultChange[] => [
  { atMs: failing.fromMs, faults: { [failing.provider]: during } },
  { atMs: failing.toMs, faults: { [failing.provider]: null } },
];

const builders: Record<string, Build> = {
  'hard-outage': (o) => {
    const failing = window(o, 'elevenlabs', 10);
    return {
      id: 'hard-outage',
      title: 'TTS answers 503 to everything (probes too) for 10 minutes',
      failing,
      timeline: between(failing, { outages: [{ durationMs: failing.toMs - failing.fromMs }] }),
      conditions: steady(),
    };
  },
  flapping: (o) => {
    const failing = window(o, 'elevenlabs', 10);
    return {
      id: 'flapping',
      title: 'half of the TTS requests answer 503 for 10 minutes',
      failing,
      timeline: between(failing, { errorRate: 0.5 }),
      conditions: steady(),
    };
  },
  brownout: (o) => {
    const failing = window(o, 'elevenlabs', 10);
    const slow = lognormal(seededRandom(o.seed), 4_000, 30_000);
    return {
      id: 'brownout',
      title: 'TTS latency p50 4 s, p99 30 s for 10 minutes',
      failing,
      timeline: [],
      conditions: steady({
        latencyMs: (provider, kind, now) =>
          provider === 'elevenlabs' &&
          kind === 'operation' &&
          now >= failing.fromMs &&
          now < failing.toMs
            ? slow()
            : kind === 'operation'
              ? baselineLatencyMs[provider]
              : LIGHT_REQUEST_MS,
      }),
    };
  },
  'quota-exhausted': (o) => {
    const failing = window(o, 'elevenlabs', 10);
    return {
      id: 'quota-exhausted',
      title: 'ElevenLabs 401 quota_exceeded until the quota resets 10 minutes later',
      failing,
      timeline: between(failing, {
        outages: [{ durationMs: failing.toMs - failing.fromMs, fault: 'quota_exceeded' }],
      }),
      conditions: steady(),
    };
  },
  'rate-limited': (o) => {
    const failing = window(o, 'elevenlabs', 10);
    return {
      id: 'rate-limited',
      title:
        'TTS: a plan limit of 5 requests in flight (429) all along, and a 10-minute 429 storm with Retry-After: 30',
      failing,
      timeline: between(failing, {
        outages: [{ durationMs: failing.toMs - failing.fromMs, fault: 'rate-limit:30' }],
      }),
      conditions: steady({
        concurrencyLimit: (provider) => (provider === 'elevenlabs' ? 5 : undefined),
      }),
    };
  },
  'crm-down': (o) => {
    const failing = window(o, 'hubspot', 60);
    return {
      id: 'crm-down',
      title: 'CRM answers 503 for an hour (outbox growth and replay)',
      failing,
      timeline: between(failing, { outages: [{ durationMs: failing.toMs - failing.fromMs }] }),
      conditions: steady(),
    };
  },
  'llm-down': (o) => {
    const failing = window(o, 'openai', 10);
    return {
      id: 'llm-down',
      title: 'LLM answers 503 for 10 minutes (template scripts)',
      failing,
      timeline: between(failing, { outages: [{ durationMs: failing.toMs - failing.fromMs }] }),
      conditions: steady(),
    };
  },
  'liar-probe': (o) => {
    const failing = window(o, 'elevenlabs', 10);
    return {
      id: 'liar-probe',
      title: 'TTS health endpoint answers 200 while every speech request gets 503, for 10 minutes',
      failing,
      timeline: between(failing, { errorRate: 1 }),
      conditions: steady(),
    };
  },
};

/** The ids of every scenario, in the order the report shows them. */
export const scenarioIds = Object.keys(builders);

export function buildScenario(id: string, options: Partial<ScenarioOptions> = {}): Scenario {
  const build = builders[id];
  if (!build) throw new Error(`unknown scenario '${id}': one of ${scenarioIds.join(', ')}`);
  const resolved = { ...scenarioDefaults, ...options };
  return { ...resolved, ...build(resolved) };
}
