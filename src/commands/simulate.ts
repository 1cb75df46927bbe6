import { MemoryAudioStore } from '../agent/audio-store.ts';
import type { AppConfig } from '../config.ts';
import {
  createInProcessClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  providersFromSettings,
  providerSettingsFromEnv,
  type FaultsConfig,
} from '../providers/index.ts';
import { seededRandom } from '../providers/mock/seeded-random.ts';
import { SqliteCallQueue } from '../queue/index.ts';
import { SystemClock, systemClock, VirtualClock, type Clock } from '../resilience/index.ts';
import { createSession, runToEnd } from './campaign-session.ts';
import { createObservers } from './observers.ts';
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
  signal?: AbortSignal | undefined;
  /** Where the summary table goes. */
  /** Where everything is printed: log lines on stdout, the summary on stderr. */
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

function clockFor(mode: TimeMode, speed: number): Clock {
  if (mode === 'virtual') return new VirtualClock(Date.UTC(2026, 0, 29, 18, 17, 0));
  return mode === 'scaled' ? new SystemClock({ scale: speed }) : systemClock;
}

/** `call-agent simulate`: returns the exit code. */
export async function simulate(
  options: SimulateOptions,
): Promise<{ code: number; summary: RunSummary }> {
  const clock = clockFor(options.time, options.speed);
  const random = seededRandom(options.seed);
  const mock = new MockProviders({ clock, seed: options.seed, faults: seedScenario() });
  const settings = providerSettingsFromEnv(mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)));
  const providers = providersFromSettings(settings, {
    httpClient: createInProcessClient(mock),
    clock,
  });
  const resources = new ResourceStack();
  try {
    const queue = new SqliteCallQueue({
      path: options.db,
      clock,
      maxFailedAttempts: options.config.queue.max_failed_attempts,
    });
    resources.defer(() => queue.close());
    const observers = await createObservers({
      env: {},
      output: options.output,
      clock,
      format: options.logFormat,
      sheetsSpillPath: 'data/sheets-spill.jsonl',
      alerts: false,
    });
    resources.defer(() => observers.close(options.config.shutdown_grace * 1000));
    await queue.enqueue(
      Array.from({ length: options.contacts }, (_, i) => ({
        id: `Contact-${i + 1}`,
        name: `Contact ${i + 1}`,
        phone: `+1415555${String(100 + i).padStart(4, '0')}`,
      })),
    );
    const { campaign, dispose } = createSession({
      config: options.config,
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
    const summary = await runToEnd(campaign, queue, { signal: options.signal });
    await resources.closeAll(); // the sinks have their say before the summary
    options.output.errBlock(`\n${formatSummary(summary)}`);
    return { code: exitCodeFor(summary), summary };
  } finally {
    await resources.closeAll();
  }
}
