import { MemoryAudioStore } from '../agent/audio-store.ts';
import type { AppConfig } from '../config.ts';
import { alertChannelsFromEnv, PrintedAlertChannel, type Severity } from '../alerts/index.ts';
import {
  createInProcessClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  providersFromSettings,
  type FaultsConfig,
} from '../providers/index.ts';
import { seededRandom } from '../providers/mock/seeded-random.ts';
import { SqliteCallQueue } from '../queue/index.ts';
import { systemClock, VirtualClock } from '../resilience/index.ts';
import { createSession, runToEnd } from './campaign-session.ts';
import { createObservers } from './observers.ts';
import { providerSettingsFor } from './provider-settings.ts';
import type { LogLevel } from '../observability/index.ts';
import type { Output } from '../redaction/output.ts';
import { ResourceStack } from './resource-stack.ts';
import { exitCodeFor, formatSummary, type RunSummary } from './summary.ts';

export type TimeMode = 'real' | 'scaled' | 'virtual';

export interface SimulateOptions {
  config: AppConfig;
  seed: number;
  time: TimeMode;
  /** How much faster than real time `scaled` runs. */
  speed: number;
  contacts: number;
  concurrency: number;
  db: string;
  logFormat: 'json' | 'pretty';
  /** Lines (and alerts) below this level are not printed (default INFO). */
  printLevel?: LogLevel | undefined;
  signal?: AbortSignal | undefined;
  /** Alert channels and Google Sheets are configured from it, as for `run`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where everything is printed: log lines on stdout, alerts and the summary on stderr. */
  output: Output;
}

/**
 * The seed's story, with the in-process mock providers: ElevenLabs answers 503 for the first
 * 75 s, so the first contacts retry and fail, the breaker opens, the next ones are skipped and
 * deferred, the health check sees the recovery and closes the breaker, and the deferred calls
 * succeed. Along the way OpenAI rate-limits once and HubSpot misses one record, which waits in
 * the outbox and is replayed.
 */
export function seedScenario(): FaultsConfig {
  return {
    elevenlabs: { outages: [{ afterMs: 0, durationMs: 75_000, fault: '503' }] },
    openai: { script: ['ok', 'ok', 'rate-limit:2'] },
    hubspot: { script: ['503', '503', '503', '503'] },
  };
}

/** The least severe alert printed when log lines below `level` are not. */
function alertSeverityFor(level: LogLevel): Severity {
  return level === 'INFO' ? 'info' : level === 'WARNING' ? 'warning' : 'critical';
}

/** Where the simulation's time starts (virtual and scaled: the same instant, run after run). */
const SIMULATION_START = Date.UTC(2026, 0, 29, 18, 17, 0);

/** How fast each mode runs the virtual clock: as fast as it can, or paced by real time. */
function paceOf(mode: TimeMode, speed: number): number | undefined {
  if (mode === 'virtual') return undefined;
  return mode === 'scaled' ? speed : 1;
}

/**
 * `call-agent simulate`: returns the exit code. Time is always a VirtualClock, driven as fast
 * as it goes (`virtual`) or paced by real time (`scaled`, `real`): the same seed tells the
 * same story in every mode, step for step.
 */
export async function simulate(
  options: SimulateOptions,
): Promise<{ code: number; summary: RunSummary }> {
  const { config, output } = options;
  const clock = new VirtualClock(options.time === 'real' ? Date.now() : SIMULATION_START);
  const random = seededRandom(options.seed);
  const mock = new MockProviders({ clock, seed: options.seed, faults: seedScenario() });
  const settings = providerSettingsFor(mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)), config);
  const providers = providersFromSettings(settings, {
    httpClient: createInProcessClient(mock),
    clock,
  });
  const env = options.env;
  const resources = new ResourceStack();
  try {
    const queue = new SqliteCallQueue({
      path: options.db,
      clock,
      maxFailedAttempts: config.queue.max_failed_attempts,
    });
    resources.defer(() => queue.close());
    // each alert is shown as it would be sent, and sent through the channels `env` configures
    const configured = alertChannelsFromEnv(env).map((channel) => channel.name);
    const observers = await createObservers({
      env,
      output,
      clock,
      deliveryClock: systemClock,
      format: options.logFormat,
      printLevel: options.printLevel,
      sheetsSpillPath: 'data/sheets-spill.jsonl',
      extraChannels: [
        new PrintedAlertChannel(
          (line) => output.err(line),
          configured,
          alertSeverityFor(options.printLevel ?? 'INFO'),
        ),
      ],
    });
    resources.defer(() => observers.close(config.shutdown_grace * 1000));
    await queue.enqueue(
      Array.from({ length: options.contacts }, (_, i) => ({
        id: `Contact-${i + 1}`,
        name: `Contact ${i + 1}`,
        phone: `+1415555${String(100 + i).padStart(4, '0')}`,
      })),
    );
    const { campaign, dispose } = createSession({
      config,
      providers,
      queue,
      audio: new MemoryAudioStore(),
      clock,
      random,
      concurrency: options.concurrency,
      observers,
      workerId: 'simulation',
    });
    resources.defer(dispose);
    const summary = await runToEnd(campaign, queue, {
      signal: options.signal,
      pace: paceOf(options.time, options.speed),
    });
    await resources.closeAll(); // the sinks have their say before the summary
    output.errBlock(['\n', ...formatSummary(summary)]);
    return { code: exitCodeFor(summary), summary };
  } finally {
    await resources.closeAll();
  }
}
