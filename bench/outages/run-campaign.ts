import { MemoryAudioStore } from '../../src/agent/audio-store.ts';
import { Campaign } from '../../src/agent/campaign.ts';
import { campaignTimings, parseConfig, type AppConfig } from '../../src/config.ts';
import {
  createInProcessClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  providersFromSettings,
  providerSettingsFromEnv,
} from '../../src/providers/index.ts';
import { seededRandom } from '../../src/providers/mock/seeded-random.ts';
import {
  SqliteCallQueue,
  type ClaimedContact,
  type QueuedContactData,
  type StateCounts,
} from '../../src/queue/index.ts';
import { VirtualClock, type CircuitState } from '../../src/resilience/index.ts';
import { AlertCount } from './alert-count.ts';
import { networkClient } from './network.ts';
import { RequestMeter } from './request-meter.ts';
import type { Scenario } from './scenarios.ts';
import type { Strategy } from './strategy.ts';
import { installClockGlobals } from './virtual-globals.ts';

/** How long after the failure ends a run may go on before it is stopped (virtual). */
const RUN_AFTER_FAILURE_MS = 2 * 3_600_000;

/** A circuit of the failing service changed state (ms after the start). */
export interface CircuitChange {
  at: number;
  state: CircuitState;
}

/** Everything one campaign left behind, times in ms after its start. */
export interface CampaignRecord {
  scenario: Scenario;
  strategy: Strategy['name'];
  app: AppConfig;
  requests: RequestMeter['requests'];
  circuit: CircuitChange[];
  /** Per contact: first claimed, and ended (completed or failed), if it did. */
  contacts: Map<string, { claimedAt: number; endedAt?: number }>;
  counts: StateCounts;
  /** Calls the flow made through the policy of each service (succeeded, failed or refused). */
  callsByService: Map<string, number>;
  /** Twilio calls created, per contact. */
  callsPerContact: Map<string, number>;
  /** Health probes of the failing service (ours only): when, and whether it answered. */
  probes: Array<{ at: number; healthy: boolean }>;
  /** Contacts completed degraded (a template script, or a fallback voice). */
  degraded: number;
  /** Alerts the agent's alert manager sent (after its dedupe and rate limit). */
  alertsSent: number;
  /** CRM records waiting in the outbox, at most, during the run. */
  outboxPeak: number;
  /** Contacts that ended the run still pending or deferred. */
  stillQueued: number;
  endedAt: number;
  end: 'drained' | 'aborted';
}

/** The queue of the suite: records when each contact is first claimed. */
class MeteredQueue extends SqliteCallQueue {
  readonly firstClaims = new Map<string, number>();
  #clockNow: () => number = () => 0;

  watchClaims(now: () => number): void {
    this.#clockNow = now;
  }

  override async claim(workerId: string, leaseMs: number): Promise<ClaimedContact | undefined> {
    const claimed = await super.claim(workerId, leaseMs);
    if (claimed && !this.firstClaims.has(claimed.contact.id)) {
      this.firstClaims.set(claimed.contact.id, this.#clockNow());
    }
    return claimed;
  }
}

const contactData = (n: number): QueuedContactData => ({
  id: `Contact-${n}`,
  name: `Contact ${n}`,
  phone: `+1415${String(5_000_000 + n).padStart(7, '0')}`,
});

/**
 * One campaign of `scenario` under `strategy`: the real Campaign (queue in memory, real
 * adapters, mock providers in process) on a VirtualClock, the scenario's fault timeline played
 * on that clock. Deterministic: the same inputs give the same record.
 */
export async function runCampaign(scenario: Scenario, strategy: Strategy): Promise<CampaignRecord> {
  const clock = new VirtualClock();
  const startedAt = clock.now();
  const elapsed = (): number => clock.now() - startedAt;
  const app = parseConfig({});
  const mock = new MockProviders({
    clock,
    seed: scenario.seed,
    elevenLabs: scenario.elevenLabs,
    maxRecorded: 1,
  });
  const meter = new RequestMeter();
  const env = mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN));
  const providers = providersFromSettings(providerSettingsFromEnv(env), {
    httpClient: networkClient(
      createInProcessClient(mock),
      clock,
      scenario.conditions,
      meter,
      startedAt,
    ),
    clock,
  });
  const queue = new MeteredQueue({
    path: ':memory:',
    clock,
    maxFailedAttempts: app.queue.max_failed_attempts,
  });
  queue.watchClaims(elapsed);
  await queue.enqueue(Array.from({ length: scenario.contacts }, (_, i) => contactData(i + 1)));

  const circuit: CircuitChange[] = [];
  const onCircuit = (service: string, state: CircuitState): void => {
    if (service === scenario.failing.service) circuit.push({ at: elapsed(), state });
  };
  const alerts = new AlertCount(clock);
  const random = seededRandom(scenario.seed);
  const setup = strategy.setUp(providers, {
    app,
    clock,
    random,
    onCircuit: (service, state) => {
      onCircuit(service, state);
      alerts.circuit(service, state);
    },
  });
  const campaign = new Campaign({
    providers: setup.providers,
    policyConfig: (service) => setup.policyConfig(service),
    queue,
    audio: new MemoryAudioStore(),
    clock,
    random,
    ...campaignTimings(app),
    concurrency: scenario.concurrency,
    workerId: 'outage-suite',
  });

  const callsByService = new Map<string, number>();
  for (const policy of campaign.policies.values()) {
    const count = (): void => {
      callsByService.set(policy.service, (callsByService.get(policy.service) ?? 0) + 1);
    };
    policy.onCallSucceeded(count);
    policy.onCallFailed(count);
    policy.onCallRejected(count);
    policy.onStateChanged((e) => onCircuit(e.service, e.to));
    alerts.manager.attach(policy);
  }
  alerts.manager.attach(campaign.health);
  const probes: CampaignRecord['probes'] = [];
  campaign.health.onProbe((e) => {
    if (e.service === scenario.failing.service) probes.push({ at: elapsed(), healthy: e.healthy });
  });
  const ended = new Map<string, number>();
  let degraded = 0;
  let outbox = 0;
  let outboxPeak = 0;
  campaign.events.subscribe((e) => {
    if (e.type === 'contact_completed' || e.type === 'contact_failed')
      ended.set(e.contactId, elapsed());
    if (e.type === 'contact_completed' && e.degraded) degraded++;
    if (e.type === 'step_degraded' && e.fallback === 'CRM outbox')
      outboxPeak = Math.max(outboxPeak, ++outbox);
    if (e.type === 'outbox_replayed') outbox--;
  });

  for (const change of scenario.timeline) {
    clock.setTimer(() => mock.setFaults(change.faults), change.atMs);
  }
  const stop = new AbortController();
  clock.setTimer(
    () => stop.abort(new Error('run cut off')),
    scenario.failing.toMs + RUN_AFTER_FAILURE_MS,
  );

  const restore = strategy.usesGlobalTimers ? installClockGlobals(clock) : () => undefined;
  let end: CampaignRecord['end'];
  try {
    let done = false;
    const running = campaign.run(stop.signal).finally(() => (done = true));
    running.catch(() => undefined);
    await clock.runUntil(() => done);
    end = await running;
  } finally {
    setup.dispose();
    restore();
  }
  const alertsSent = await alerts.settle();
  const counts = await queue.counts();
  const contacts = new Map<string, { claimedAt: number; endedAt?: number }>();
  for (const [id, claimedAt] of queue.firstClaims) {
    const endedAt = ended.get(id);
    contacts.set(id, endedAt === undefined ? { claimedAt } : { claimedAt, endedAt });
  }
  const callsPerContact = new Map<string, number>();
  for (const call of mock.twilioCalls) {
    callsPerContact.set(call.to, (callsPerContact.get(call.to) ?? 0) + 1);
  }
  await queue.close();
  return {
    scenario,
    strategy: strategy.name,
    app,
    requests: meter.requests,
    circuit,
    contacts,
    counts,
    callsByService,
    callsPerContact,
    probes,
    alertsSent,
    degraded,
    outboxPeak,
    stillQueued: scenario.contacts - counts.completed - counts.failed,
    endedAt: elapsed(),
    end,
  };
}
