import type { LogLevel } from '../observability/index.ts';
import { join } from 'node:path';
import { FileAudioStore } from '../agent/audio-store.ts';
import type { AppConfig } from '../config.ts';
import { providersFromSettings } from '../providers/index.ts';
import type { Output } from '../redaction/output.ts';
import { systemClock } from '../resilience/index.ts';
import { createSession, runToEnd } from './campaign-session.ts';
import { drainInFlight } from './drain.ts';
import { recordContactHistory } from './contact-history-recorder.ts';
import { fleetReadiness } from './fleet-member.ts';
import { createObservers } from './observers.ts';
import { providerSettingsFor } from './provider-settings.ts';
import { ResourceStack } from './resource-stack.ts';
import { openSessionQueue, type SessionQueue } from './session-queue.ts';
import { formatSummary } from './summary.ts';

type Env = Readonly<Record<string, string | undefined>>;

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

/** Once stopped, how long a worker waits for a queue that does not answer (Redis down). */
const END_WITHIN_MS = 3_000;

/**
 * `call-agent worker`: one worker of a fleet. Joins the fleet on Redis (REDIS_URL) and works
 * its queue with the configured providers until stopped (SIGINT/SIGTERM) or `--max-duration`;
 * an empty queue does not stop it. Shares breaker state, trial permits, health checks,
 * provider limits and the retry budget with the other workers. On SIGTERM the calls in flight
 * get `server.drain_timeout` to finish (none while Redis is unreachable: nothing they did could
 * be recorded). Returns 0 once stopped, 1 on a fatal error (a queue write Redis refused, or
 * Redis gone at the stop).
 */
export async function worker(options: WorkerOptions): Promise<number> {
  const { config, output } = options;
  const clock = systemClock;
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
    const member: { joined?: SessionQueue } = {};
    const observers = await createObservers({
      printLevel: options.printLevel,
      // a worker that lost Redis works on alone: not ready as a member of the fleet
      readiness: () => member.joined?.readiness?.() ?? fleetReadiness(undefined),
      env: options.env,
      output,
      clock,
      format: options.logFormat,
      metricsPort: options.metricsPort,
      sheetsSpillPath: join(options.dataDir, `sheets-spill-${process.pid}.jsonl`),
    });
    resources.defer(() => observers.close(config.shutdown_grace * 1000));
    const log = observers.logger;
    const joined = await openSessionQueue(
      { queue: 'redis', dataDir: options.dataDir },
      {
        config,
        env: options.env,
        clock,
        log: (level, message, event) => log.log(level, message, { event }),
        signal: options.signal,
        resources,
      },
    );
    member.joined = joined;
    const { queue, fleet, workerId } = joined;
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
    await joined.join(campaign);
    // every worker writes its contacts' events where any server of the fleet reads them
    const recorder = recordContactHistory(campaign, joined.history, log, clock);
    resources.defer(() => recorder.dispose());
    const workers = fleet?.workers ?? 1;
    log.log(
      'INFO',
      `worker ${workerId} joined the fleet at ${joined.location}: ${workers} worker${workers === 1 ? '' : 's'}`,
      { event: 'worker_started' },
    );
    // SIGTERM (a deploy, a scale-down): the calls in flight get server.drain_timeout to finish
    const stop = new AbortController();
    const drainThenStop = (): void => {
      const connected = joined.readiness?.().ready !== false;
      void drainInFlight(campaign, {
        clock,
        drainMs: connected ? config.server.drain_timeout * 1000 : 0,
        log: (message) => log.log('WARNING', message, { event: 'shutdown' }),
      }).then(() => stop.abort(options.signal?.reason));
    };
    if (options.signal?.aborted) drainThenStop();
    else options.signal?.addEventListener('abort', drainThenStop, { once: true });
    resources.defer(() => options.signal?.removeEventListener('abort', drainThenStop));
    const summary = await runToEnd(campaign, queue, {
      signal: stop.signal,
      maxDurationMs:
        options.maxDurationSeconds === undefined ? undefined : options.maxDurationSeconds * 1000,
      // Redis down: the worker still stops, its contacts left to their leases
      endWithinMs: END_WITHIN_MS,
    });
    await resources.closeAll();
    output.errBlock(formatSummary(summary));
    return 0;
  } finally {
    await resources.closeAll();
  }
}
