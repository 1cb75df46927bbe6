import { afterEach } from 'vitest';
import { campaignTimings, parseConfig, policyForService } from '../config.ts';
import {
  createInProcessClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  providersFromSettings,
  providerSettingsFromEnv,
  type ElevenLabsMockOptions,
  type FaultsConfig,
  type MockCrmRecord,
  type Providers,
  type RecordedRequest,
} from '../providers/index.ts';
import { seededRandom } from '../providers/mock/seeded-random.ts';
import {
  SqliteCallQueue,
  type QueuedContactData,
  type SqliteCallQueueOptions,
} from '../queue/index.ts';
import {
  VirtualClock,
  type CallFailedEvent,
  type CallRejectedEvent,
  type CallSucceededEvent,
  type HealthProbeEvent,
  type RetryScheduledEvent,
  type ServicePolicy,
  type StateChangedEvent,
} from '../resilience/index.ts';
import type { AgentEvent } from './agent-events.ts';
import { MemoryAudioStore, type AudioStore } from './audio-store.ts';
import { Campaign } from './campaign.ts';
import type { RunEnd } from './campaign-worker.ts';

/**
 * Scenario tests of the call flow: a real Campaign (policies, health checker, CallFlow, CRM
 * outbox, worker) over the real adapters, an in-memory SQLite queue and the in-process mock
 * providers, all on one VirtualClock. Nothing of the project is mocked.
 */

/** Every event of a run, in the order it was emitted. */
export type LoggedEvent =
  | ({ source: 'retry' } & RetryScheduledEvent)
  | ({ source: 'succeeded' } & CallSucceededEvent)
  | ({ source: 'failed' } & CallFailedEvent)
  | ({ source: 'rejected' } & CallRejectedEvent)
  | ({ source: 'state' } & StateChangedEvent)
  | ({ source: 'probe' } & HealthProbeEvent)
  | ({ source: 'agent' } & AgentEvent);

export interface FlowHarnessOptions {
  /** How many contacts to enqueue (`Contact-1` … with distinct numbers); default 3. */
  contacts?: number;
  faults?: FaultsConfig;
  /** The application configuration (parseConfig input); no jitter and no ramp by default. */
  config?: Record<string, unknown>;
  /** Extra environment for the provider settings, e.g. `TTS_FALLBACK_PROVIDER`. */
  env?: Record<string, string>;
  concurrency?: number;
  maxFailedAttempts?: number;
  seed?: number;
  /** Builds the queue (default: an in-memory SqliteCallQueue), e.g. on a file. */
  makeQueue?: (options: SqliteCallQueueOptions) => SqliteCallQueue;
  /** Where audio goes (default: memory), or how to make it on the harness's clock. */
  audio?: AudioStore | ((clock: VirtualClock) => AudioStore);
  /** The mock ElevenLabs plan (its character quota). */
  elevenLabs?: ElevenLabsMockOptions;
  /** The clock everything runs on (default: a new VirtualClock). */
  clock?: VirtualClock;
  /** The worker goes on when the queue is empty, until stopped (`stop()`). */
  continuous?: boolean;
}

/** Deferrals of one contact at one instant after which the run is stopped as a livelock. */
const LIVELOCK_DEFERRALS = 20;

const harnessDefaults = { contacts: 3, concurrency: 1, maxFailedAttempts: 5, seed: 7 };

/** The n-th contact of a harness (1-based). */
export function contactNo(n: number): QueuedContactData {
  return { id: `Contact-${n}`, name: `Contact ${n}`, phone: `+1415555${String(100 + n)}0` };
}

export interface FlowHarness {
  clock: VirtualClock;
  mock: MockProviders;
  queue: SqliteCallQueue;
  /** Where the campaign keeps its audio. */
  audio: AudioStore;
  campaign: Campaign;
  /** The adapters the campaign runs on. */
  providers: Providers;
  contacts: QueuedContactData[];
  /** Every event so far. */
  log: LoggedEvent[];
  /** The policy of a service by its name (`ElevenLabs` …). */
  policy(service: string): ServicePolicy;
  /** A new set of adapters over the same mock (another process, say). */
  makeProviders(): Providers;
  /** Why the harness stopped the run (a livelock), if it did. */
  readonly stopReason: string | undefined;
  /** Starts the campaign; `finish` drives the clock until it returns. */
  start(): void;
  /** Drives the clock until `done` holds (the campaign must have been started). */
  runUntil(done: () => boolean): Promise<void>;
  /** Drives the clock until the campaign returns (starting it if needed). */
  finish(): Promise<RunEnd>;
  /** Stops the campaign (as a signal would); `finish()` then returns. */
  stop(): void;
  close(): Promise<void>;
}

/** Builds the campaign of a scenario; contacts are enqueued, nothing runs yet. */
export async function createFlowHarness(options: FlowHarnessOptions = {}): Promise<FlowHarness> {
  const resolved = { ...harnessDefaults, ...options };
  const clock = resolved.clock ?? new VirtualClock();
  const mock = new MockProviders({
    clock,
    seed: resolved.seed,
    faults: resolved.faults,
    elevenLabs: resolved.elevenLabs,
  });
  const env = { ...mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)), ...resolved.env };
  const makeProviders = (): Providers =>
    providersFromSettings(providerSettingsFromEnv(env), {
      httpClient: createInProcessClient(mock),
      clock,
    });
  // retries without jitter and no recovery ramp, unless a scenario asks for them
  const config = parseConfig({
    retry: { jitter: 'none' },
    recovery: { ramp_seconds: 0 },
    ...resolved.config,
  });
  const makeQueue = resolved.makeQueue ?? ((o) => new SqliteCallQueue(o));
  const queue = makeQueue({
    path: ':memory:',
    clock,
    maxFailedAttempts: resolved.maxFailedAttempts,
  });
  const contacts = Array.from({ length: resolved.contacts }, (_, i) => contactNo(i + 1));
  await queue.enqueue(contacts);
  const providers = makeProviders();
  const audio =
    typeof resolved.audio === 'function'
      ? resolved.audio(clock)
      : (resolved.audio ?? new MemoryAudioStore());
  const campaign = new Campaign({
    providers,
    policyConfig: (service) => policyForService(config, service),
    queue,
    audio,
    clock,
    random: seededRandom(resolved.seed),
    ...campaignTimings(config),
    concurrency: resolved.concurrency,
    workerId: 'scenario',
    continuous: resolved.continuous,
  });
  const log: LoggedEvent[] = [];
  for (const policy of campaign.policies.values()) {
    policy.onRetryScheduled((e) => log.push({ ...e, source: 'retry' }));
    policy.onCallSucceeded((e) => log.push({ ...e, source: 'succeeded' }));
    policy.onCallFailed((e) => log.push({ ...e, source: 'failed' }));
    policy.onCallRejected((e) => log.push({ ...e, source: 'rejected' }));
    policy.onStateChanged((e) => log.push({ ...e, source: 'state' }));
  }
  campaign.health.onProbe((e) => log.push({ ...e, source: 'probe' }));
  campaign.events.subscribe((e) => log.push({ ...e, source: 'agent' }));

  // A contact deferred again and again while the clock stands still would spin forever in
  // microtasks (the clock never gets to move): stop the run instead, so the test fails.
  const stop = new AbortController();
  const deferralsAt = new Map<string, number>();
  campaign.events.subscribe((e) => {
    if (e.type !== 'contact_deferred') return;
    const key = `${e.contactId}@${e.timestamp}`;
    const count = (deferralsAt.get(key) ?? 0) + 1;
    deferralsAt.set(key, count);
    if (count > LIVELOCK_DEFERRALS) stop.abort(new Error(`livelock: ${key} deferred ${count}×`));
  });

  let running: Promise<RunEnd> | undefined;
  let done = false;
  const start = (): void => {
    if (running) return;
    running = campaign.run(stop.signal).finally(() => (done = true));
    // its rejection is read by finish(), after the clock has run: not an unhandled one
    running.catch(() => undefined);
  };
  return {
    clock,
    mock,
    queue,
    audio,
    campaign,
    providers,
    contacts,
    log,
    policy(service) {
      const policy = campaign.policies.get(service);
      if (!policy) throw new Error(`no policy for ${service}`);
      return policy;
    },
    makeProviders,
    get stopReason() {
      return stop.signal.aborted ? String(stop.signal.reason) : undefined;
    },
    start,
    async runUntil(predicate) {
      if (!running) throw new Error('start the campaign first');
      if (!(await clock.runUntil(() => predicate() || done)) || !predicate()) {
        throw new Error('the campaign ended before the condition held');
      }
    },
    async finish() {
      start();
      await clock.runUntil(() => done);
      if (!running || !done) throw new Error('the campaign did not end');
      return running;
    },
    stop: () => stop.abort(new Error('stopped by the test')),
    close: () => queue.close(),
  };
}

/** Agent events of one type, in order. */
export function agentEvents<T extends AgentEvent['type']>(
  log: readonly LoggedEvent[],
  type: T,
): Array<{ source: 'agent' } & Extract<AgentEvent, { type: T }>> {
  return log.filter(
    (e): e is Extract<LoggedEvent, { source: 'agent' }> & Extract<AgentEvent, { type: T }> =>
      e.source === 'agent' && e.type === type,
  );
}

/** Requests that did the provider's work (chat, speech, create call, CRM write): POSTs. */
export function operations(
  mock: MockProviders,
  provider: 'openai' | 'elevenlabs' | 'twilio' | 'hubspot',
  path?: RegExp,
): RecordedRequest[] {
  return mock
    .requests(provider)
    .filter((r) => r.method === 'POST' && (path === undefined || path.test(r.path)));
}

export const CHAT = /\/chat\/completions$/;
export const TTS = /\/text-to-speech\//;
export const SPEECH = /\/audio\/speech$/;

/** Twilio call look-ups (`GET …/Calls.json?To=`). */
export function callLookUps(mock: MockProviders): RecordedRequest[] {
  return mock.requests('twilio').filter((r) => r.method === 'GET' && r.path.endsWith('Calls.json'));
}

/** The contact id in a CRM record the mock holds. */
export function crmContactId(record: MockCrmRecord): string | undefined {
  return /^Contact: (.+)$/m.exec(record.properties.hs_call_body ?? '')?.[1];
}

/**
 * For a test file: returns `scenario(options)`, which builds a harness that is closed after
 * each test.
 */
export function useScenarios(): (options: FlowHarnessOptions) => Promise<FlowHarness> {
  let harness: FlowHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  return async (options) => {
    harness = await createFlowHarness(options);
    return harness;
  };
}
