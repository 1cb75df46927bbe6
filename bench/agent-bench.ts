/**
 * Campaign throughput (issue 4): 2,000 contacts through the real Campaign, the real adapters
 * and the SQLite queue on a temp file (WAL), against mock providers that answer every step
 * after 20 ms, with 50 contacts in flight, in real time. The ideal bound is
 * concurrency ÷ (sum of the step latencies) = 50 ÷ (4 × 20 ms) = 625 contacts/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryAudioStore } from '../src/agent/audio-store.ts';
import type { Campaign } from '../src/agent/campaign.ts';
import { createSession } from '../src/commands/campaign-session.ts';
import { createObservers } from '../src/commands/observers.ts';
import { parseConfig } from '../src/config.ts';
import {
  providersFromSettings,
  providerSettingsFromEnv,
  type FaultsConfig,
} from '../src/providers/index.ts';
import type { CallQueue } from '../src/queue/call-queue.ts';
import { SqliteCallQueue, type QueuedContactData } from '../src/queue/index.ts';
import { systemClock } from '../src/resilience/index.ts';
import { httpBaseline, startMockTransport, type Transport } from './mock-transports.ts';

export interface AgentBenchOptions {
  contacts: number;
  concurrency: number;
  /** Mock latency of every provider request. */
  latencyMs: number;
  transport: Transport;
  /** The adapters' bulkhead per service (the config default is 10). */
  bulkhead: number;
}

export const agentBenchDefaults = {
  contacts: 2_000,
  concurrency: 50,
  latencyMs: 20,
  transport: 'in-process',
  bulkhead: 50,
} satisfies AgentBenchOptions;

/** The steps of one contact: script, voice, call, CRM record (one request each). */
const STEPS = 4;

export interface AgentBenchResult {
  contactsPerSecond: number;
  /** concurrency ÷ (STEPS × latency), in contacts/s. */
  idealPerSecond: number;
  /** contactsPerSecond ÷ idealPerSecond. */
  ratio: number;
  completed: number;
  durationMs: number;
  /** Mean time a contact spends in the flow (Little's law: concurrency ÷ rate). */
  msPerContact: number;
  /** Mean duration of each step as its policy measured it (includes the 20 ms latency). */
  stepMs: Record<string, number>;
  /** msPerContact minus the steps: queue writes, claims, scheduling. */
  overheadMsPerContact: number;
  /** CPU of this process (user + system, all threads) per contact; a child mock's is not in it. */
  cpuMsPerContact: number;
  /** Share of the run the event loop was busy (1 = CPU-bound on the main thread). */
  eventLoopUtilization: number;
  /** From the last contact completed to the run's end (the workers noticing the drain). */
  tailMs: number;
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** The clock's timers are unref'd: holds the process open until `work` settles, as the CLI does. */
async function heldOpen<T>(work: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    return await work;
  } finally {
    clearInterval(keepAlive);
  }
}

/** Runs the campaign until it drains and measures it. */
async function measure(
  campaign: Campaign,
  queue: CallQueue,
  options: AgentBenchOptions,
): Promise<AgentBenchResult> {
  const stepTotals = new Map<string, { ms: number; calls: number }>();
  for (const policy of campaign.policies.values()) {
    const totals = { ms: 0, calls: 0 };
    stepTotals.set(policy.service, totals);
    policy.onCallSucceeded((event) => {
      totals.ms += event.durationMs;
      totals.calls++;
    });
  }
  let lastCompletedAt = 0;
  campaign.events.subscribe((event) => {
    if (event.type === 'contact_completed') lastCompletedAt = performance.now();
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const end = await heldOpen(campaign.run());
  const elu = performance.eventLoopUtilization(eluBefore);
  const cpu = process.cpuUsage(cpuBefore);
  const durationMs = performance.now() - started;
  const counts = await queue.counts();
  if (end !== 'drained' || counts.completed !== options.contacts) {
    throw new Error(`campaign ended ${end} with ${JSON.stringify(counts)}`);
  }
  const contactsPerSecond = (counts.completed / durationMs) * 1000;
  const idealPerSecond = options.concurrency / ((STEPS * options.latencyMs) / 1000);
  const msPerContact = (options.concurrency / contactsPerSecond) * 1000;
  const stepMs = Object.fromEntries(
    [...stepTotals].map(([service, t]) => [service, round(t.ms / Math.max(1, t.calls))]),
  );
  const stepSum = Object.values(stepMs).reduce((sum, ms) => sum + ms, 0);
  return {
    contactsPerSecond: round(contactsPerSecond),
    idealPerSecond,
    ratio: round(contactsPerSecond / idealPerSecond, 3),
    completed: counts.completed,
    durationMs: Math.round(durationMs),
    msPerContact: round(msPerContact),
    stepMs,
    overheadMsPerContact: round(msPerContact - stepSum),
    cpuMsPerContact: round((cpu.user + cpu.system) / 1000 / counts.completed, 2),
    eventLoopUtilization: round(elu.utilization, 2),
    tailMs: Math.round(started + durationMs - lastCompletedAt),
  };
}

/** Every provider answers after `latencyMs`, without fault. */
function latencyOnly(latencyMs: number): FaultsConfig {
  const latency = { latencyMs };
  return { openai: latency, elevenlabs: latency, twilio: latency, hubspot: latency };
}

function benchContacts(count: number): QueuedContactData[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `Contact-${i + 1}`,
    name: `Contact ${i + 1}`,
    phone: `+1415555${String(100 + i).padStart(4, '0')}`,
  }));
}

/**
 * The same contacts through the same adapters and mock, with no agent: no queue, policies,
 * events or log lines, each slot calling script → voice → call → record in turn. Contacts
 * per second: the ceiling the adapters, the HTTP stack and the mock leave for the agent.
 */
export async function runAdaptersOnly(
  overrides: Partial<
    Pick<AgentBenchOptions, 'contacts' | 'concurrency' | 'latencyMs' | 'transport'>
  > = {},
): Promise<number> {
  const options = { ...agentBenchDefaults, ...overrides };
  const mock = await startMockTransport(options.transport, latencyOnly(options.latencyMs));
  try {
    const clock = systemClock;
    const settings = providerSettingsFromEnv(mock.env);
    const { llm, tts, telephony, crm } = providersFromSettings(settings, {
      clock,
      httpClient: mock.httpClient,
    });
    const contacts = benchContacts(options.contacts);
    let next = 0;
    const slot = async (): Promise<void> => {
      for (let contact = contacts[next++]; contact; contact = contacts[next++]) {
        const signal = new AbortController().signal;
        const script = await llm.writeScript(contact, signal);
        await tts.synthesize(script, signal);
        const call = { contactId: contact.id, to: contact.phone, script };
        const { callSid } = await telephony.placeCall(call, signal);
        const record = { contactId: contact.id, contactName: contact.name, phone: contact.phone };
        await crm.recordCall(
          { ...record, callSid, status: 'queued', degraded: false, script, timestamp: clock.now() },
          signal,
        );
      }
    };
    const started = performance.now();
    await heldOpen(Promise.all(Array.from({ length: options.concurrency }, slot)));
    return (options.contacts / (performance.now() - started)) * 1000;
  } finally {
    await mock.close();
  }
}

/**
 * Builds the campaign as `call-agent run` does (createSession, the real adapters, the SQLite
 * queue on a file, the observers with logs to a null destination), runs it and measures it.
 */
export async function runAgentBench(
  overrides: Partial<AgentBenchOptions> = {},
): Promise<AgentBenchResult> {
  const options: AgentBenchOptions = { ...agentBenchDefaults, ...overrides };
  const clock = systemClock;
  // The config's defaults, but for the bulkhead (default 10 per service, below 50 in flight).
  const config = parseConfig({ bulkhead: { max_concurrent: options.bulkhead } });
  const cleanup: Array<() => unknown> = [];
  try {
    const mock = await startMockTransport(options.transport, latencyOnly(options.latencyMs));
    cleanup.push(() => mock.close());
    const dir = mkdtempSync(join(tmpdir(), 'agent-bench-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const queue = new SqliteCallQueue({
      path: join(dir, 'queue.db'),
      clock,
      maxFailedAttempts: config.queue.max_failed_attempts,
    });
    cleanup.push(() => queue.close());
    const observers = await createObservers({
      env: {},
      clock,
      format: 'json',
      destination: { write: () => undefined },
      sheetsSpillPath: join(dir, 'sheets-spill.jsonl'),
      alerts: false,
    });
    cleanup.push(() => observers.close());
    const settings = providerSettingsFromEnv(mock.env);
    const providers = providersFromSettings(settings, { clock, httpClient: mock.httpClient });
    await queue.enqueue(benchContacts(options.contacts));
    const { campaign, dispose } = createSession({
      config,
      providers,
      queue,
      audio: new MemoryAudioStore(),
      clock,
      concurrency: options.concurrency,
      observers,
      workerId: 'bench',
    });
    cleanup.push(dispose);
    return await measure(campaign, queue, options);
  } finally {
    for (const release of cleanup.reverse()) await release();
  }
}

const TARGET_RATIO = 0.85;
const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

function describe(label: string, r: AgentBenchResult): string {
  const steps = Object.entries(r.stepMs)
    .map(([service, ms]) => `${service} ${ms}`)
    .join(', ');
  const verdict = r.ratio >= TARGET_RATIO ? 'meets' : 'BELOW';
  const pad = ' '.repeat(40);
  return [
    `  ${label.padEnd(38)} ${String(r.contactsPerSecond).padStart(6)} contacts/s = ${pct(r.ratio)} of ${r.idealPerSecond} (${verdict} the ${pct(TARGET_RATIO)} target)`,
    `${pad} ${r.completed} in ${r.durationMs} ms, ${r.cpuMsPerContact} ms CPU/contact, event loop ${pct(r.eventLoopUtilization)} busy, drained ${r.tailMs} ms after the last contact`,
    `${pad} ${r.msPerContact} ms in flight per contact = steps (${steps}) + ${r.overheadMsPerContact} ms between steps`,
  ].join('\n');
}

/**
 * The benchmark. Headline: the in-process mock (the real adapters, policies, queue
 * file and log lines, with no sockets), which measures what the agent itself costs against
 * the ideal bound. Then the same over loopback HTTP (mock in a child process, as a remote
 * provider; mock in this process), the config's default bulkhead of 10, and the ceilings at
 * the same load with no agent at all: the adapters alone against each mock, and bare HTTP.
 */
export async function benchAgent(): Promise<Record<string, number>> {
  const { contacts, concurrency, latencyMs } = agentBenchDefaults;
  const ideal = concurrency / ((STEPS * latencyMs) / 1000);
  console.log(
    `\ncampaign: ${contacts} contacts, ${latencyMs} ms mock latency per step (${STEPS} steps), concurrency ${concurrency}, real time, SQLite file (WAL), logs to a null destination`,
  );
  console.log(
    `  ideal bound = ${concurrency} / (${STEPS} x ${latencyMs} ms) = ${ideal} contacts/s; target ${pct(TARGET_RATIO)} = ${ideal * TARGET_RATIO} contacts/s`,
  );
  const runs: Array<[string, string, Partial<AgentBenchOptions>]> = [
    ['inProcess', 'in-process mock (headline), bulkhead 50', { transport: 'in-process' }],
    ['httpChild', 'HTTP loopback, mock in a child process', { transport: 'http-child' }],
    ['http', 'HTTP loopback, mock in this process', { transport: 'http' }],
    [
      'inProcessBulkhead10',
      'in-process, bulkhead 10 (default)',
      { transport: 'in-process', bulkhead: 10 },
    ],
    [
      'httpChildBulkhead10',
      'HTTP child, bulkhead 10 (default)',
      { transport: 'http-child', bulkhead: 10 },
    ],
  ];
  const figures: Record<string, number> = { idealContactsPerSecond: ideal };
  // Warm-up (not reported): compiles the hot paths, so the first run measured is not the cold one.
  await runAgentBench({ transport: 'in-process', contacts: 500 });
  await runAgentBench({ transport: 'http', contacts: 500 });
  for (const [key, label, overrides] of runs) {
    const result = await runAgentBench(overrides);
    console.log(describe(label, result));
    figures[`${key}ContactsPerSecond`] = result.contactsPerSecond;
    figures[`${key}Ratio`] = result.ratio;
    figures[`${key}CpuMsPerContact`] = result.cpuMsPerContact;
  }
  const ceilings: Array<[string, string, () => Promise<number>]> = [
    [
      'adaptersOnlyInProcess',
      'no agent: adapters, in-process mock',
      () => runAdaptersOnly({ transport: 'in-process' }),
    ],
    [
      'adaptersOnlyHttpChild',
      'no agent: adapters, HTTP child mock',
      () => runAdaptersOnly({ transport: 'http-child' }),
    ],
    ...(['node:http', 'fetch'] as const).map((client): [string, string, () => Promise<number>] => [
      client === 'fetch' ? 'bareFetch' : 'bareNodeHttp',
      `no agent: bare ${client} client + server`,
      () => httpBaseline({ client, contacts, concurrency, steps: STEPS, latencyMs }),
    ]),
  ];
  console.log('  ceilings at the same load, with no agent at all:');
  for (const [key, label, run] of ceilings) {
    const rate = await run();
    console.log(
      `  ${label.padEnd(38)} ${rate.toFixed(1).padStart(6)} contacts/s = ${pct(rate / ideal)} of ${ideal}`,
    );
    figures[`${key}ContactsPerSecond`] = round(rate);
    figures[`${key}Ratio`] = round(rate / ideal, 3);
  }
  return figures;
}
