import type { LogLevel } from '../observability/index.ts';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FileAudioStore } from '../agent/audio-store.ts';
import { recoverLeases } from '../agent/lease-recovery.ts';
import type { AppConfig } from '../config.ts';
import { providersFromSettings } from '../providers/index.ts';
import type { Output } from '../redaction/output.ts';
import { systemClock, type TimerHandle } from '../resilience/index.ts';
import { createSession, runToEnd } from './campaign-session.ts';
import type { Fleet } from '../fleet/index.ts';
import { fleetQueueOptions, openFleet } from './fleet-from-config.ts';
import { createObservers } from './observers.ts';
import { providerSettingsFor } from './provider-settings.ts';
import { ResourceStack } from './resource-stack.ts';
import { formatSummary } from './summary.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * How often a worker looks for contacts held by a dead process of its host (a sibling worker
 * killed): they are taken back at once rather than when their leases run out.
 */
const RECLAIM_EVERY_MS = 2_000;

export interface WorkerOptions {
  config: AppConfig;
  env: Env;
  concurrency: number;
  logFormat: 'json' | 'pretty';
  /** Log lines below this level are not printed. */
  printLevel?: LogLevel | undefined;
  /** Where the audio files and the Sheets spill file are kept. */
  dataDir: string;
  maxDurationSeconds?: number | undefined;
  metricsPort?: number | undefined;
  /** Public URL the audio directory is served at, for Twilio to <Play> it. */
  audioBaseUrl?: string | undefined;
  signal?: AbortSignal | undefined;
  output: Output;
}

/**
 * `call-agent worker`: one worker of a fleet. Joins the fleet on Redis (REDIS_URL) and works
 * its queue with the configured providers until stopped (SIGINT/SIGTERM) or `--max-duration`;
 * an empty queue does not stop it. Shares breaker state, trial permits, health checks,
 * provider limits and the retry budget with the other workers. Returns 0 once stopped, 1 on a
 * fatal error (a queue write Redis refused).
 */
export async function worker(options: WorkerOptions): Promise<number> {
  const { config, output } = options;
  const clock = systemClock;
  const workerId = `${hostname()}:${process.pid}`;
  const resources = new ResourceStack();
  try {
    const providers = providersFromSettings(providerSettingsFor(options.env, config), { clock });
    const audio = new FileAudioStore({
      dir: join(options.dataDir, 'audio'),
      publicBaseUrl: options.audioBaseUrl,
      retentionMs: config.audio.retention * 1000,
      clock,
    });
    await audio.check();
    await audio.sweep();
    const joined: { fleet?: Fleet } = {};
    const observers = await createObservers({
      printLevel: options.printLevel,
      // a worker that lost Redis works on alone: not ready as a member of the fleet
      readiness: () => {
        const status = joined.fleet?.link.status ?? { connected: false, workers: 0 };
        return {
          ready: status.connected,
          fleet: status.connected ? 'connected' : 'redis_unreachable',
          workers: status.workers,
          ...(status.error === undefined ? {} : { error: status.error }),
        };
      },
      env: options.env,
      output,
      clock,
      format: options.logFormat,
      metricsPort: options.metricsPort,
      sheetsSpillPath: join(options.dataDir, `sheets-spill-${process.pid}.jsonl`),
    });
    resources.defer(() => observers.close(config.shutdown_grace * 1000));
    const log = observers.logger;
    const fleet = await openFleet({
      config,
      env: options.env,
      clock,
      workerId,
      log: (level, message, event) => log.log(level, message, { event }),
      signal: options.signal,
    }).catch((error: unknown) => {
      if (!options.signal?.aborted) throw error;
      throw new Error('stopped while waiting for Redis: nothing was done');
    });
    joined.fleet = fleet;
    resources.defer(() => fleet.close());
    const queue = fleet.queue(fleetQueueOptions(config));
    resources.defer(() => queue.close());
    const { campaign, dispose } = createSession({
      config,
      providers,
      queue,
      audio,
      clock,
      concurrency: options.concurrency,
      observers,
      workerId,
      fleet,
      continuous: true,
    });
    resources.defer(dispose);
    await fleet.attach(campaign.policies.values());
    resources.defer(fleet.onWake(() => campaign.worker.wake()));
    let reclaim: TimerHandle | undefined;
    const lookForDeadSiblings = (): void => {
      reclaim = clock.setTimer(() => {
        void recoverLeases(queue).then(
          ({ reclaimed }) => {
            for (const { pid, contacts } of reclaimed) {
              campaign.events.emit({
                type: 'leases_reclaimed',
                timestamp: clock.now(),
                pid,
                contacts,
              });
            }
            if (reclaimed.length > 0) campaign.worker.wake();
            lookForDeadSiblings();
          },
          () => lookForDeadSiblings(), // Redis unreachable: look again later
        );
      }, RECLAIM_EVERY_MS);
    };
    lookForDeadSiblings();
    resources.defer(() => reclaim?.clear());
    log.log(
      'INFO',
      `worker ${workerId} joined the fleet at ${fleet.location} {${config.fleet.key_prefix}}: ${fleet.workers} worker${fleet.workers === 1 ? '' : 's'}`,
      { event: 'worker_started' },
    );
    const summary = await runToEnd(campaign, queue, {
      signal: options.signal,
      maxDurationMs:
        options.maxDurationSeconds === undefined ? undefined : options.maxDurationSeconds * 1000,
    });
    await resources.closeAll();
    output.errBlock(formatSummary(summary));
    return 0;
  } finally {
    await resources.closeAll();
  }
}
