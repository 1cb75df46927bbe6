import type { AudioStore } from '../agent/audio-store.ts';
import { Campaign } from '../agent/campaign.ts';
import { policyForService, type AppConfig } from '../config.ts';
import type { Providers } from '../providers/index.ts';
import type { CallQueue } from '../queue/call-queue.ts';
import { VirtualClock, type Clock } from '../resilience/index.ts';
import type { Observers } from './observers.ts';
import { buildSummary, type RunSummary } from './summary.ts';

export interface SessionOptions {
  config: AppConfig;
  providers: Providers;
  queue: CallQueue;
  audio: AudioStore;
  clock: Clock;
  random?: (() => number) | undefined;
  concurrency: number;
  observers: Observers;
  workerId?: string | undefined;
}

/** Builds the campaign from the configuration and subscribes every sink to it. */
export function createSession(options: SessionOptions): {
  campaign: Campaign;
  dispose: () => void;
} {
  const { config } = options;
  const campaign = new Campaign({
    providers: options.providers,
    policyConfig: (service) => policyForService(config, service),
    queue: options.queue,
    audio: options.audio,
    clock: options.clock,
    random: options.random,
    health: {
      intervalMs: config.health_check.interval * 1000,
      timeoutMs: config.health_check.timeout * 1000,
    },
    concurrency: options.concurrency,
    // A contact whose step failed after its retries waits as long as an open breaker would.
    retryDelayMs: config.circuit_breaker.recovery_timeout * 1000,
    leaseMs: config.queue.lease * 1000,
    workerId: options.workerId,
  });
  const dispose = options.observers.watch(campaign, options.queue);
  return { campaign, dispose };
}

export interface RunToEndOptions {
  /** Stop after this long (clock time). */
  maxDurationMs?: number | undefined;
  /** Stops the run (SIGINT, SIGTERM). */
  signal?: AbortSignal | undefined;
}

/**
 * Runs the campaign until it drains, the time is up or the signal aborts. On a VirtualClock
 * time jumps from timer to timer, so an hour of outage passes in milliseconds.
 */
export async function runToEnd(
  campaign: Campaign,
  queue: CallQueue,
  options: RunToEndOptions = {},
): Promise<RunSummary> {
  const clock = campaign.clock;
  const stop = new AbortController();
  let ended: RunSummary['ended'] = 'drained';
  const onSignal = (): void => {
    ended = 'interrupted';
    stop.abort(options.signal?.reason);
  };
  if (options.signal?.aborted) onSignal();
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const deadline =
    options.maxDurationMs === undefined
      ? undefined
      : clock.setTimer(() => {
          ended = 'max_duration';
          stop.abort(new Error('max duration reached'));
        }, options.maxDurationMs);
  try {
    const running = campaign.run(stop.signal);
    if (clock instanceof VirtualClock) {
      let finished = false;
      void running.finally(() => (finished = true));
      await clock.runUntil(() => finished);
    }
    await running;
  } finally {
    deadline?.clear();
    options.signal?.removeEventListener('abort', onSignal);
  }
  const circuitStates = Object.fromEntries(
    [...campaign.policies].map(([name, p]) => [name, p.state]),
  );
  return buildSummary(
    await queue.counts(),
    campaign.stats.snapshot(),
    circuitStates,
    await queue.outboxSize(),
    ended,
  );
}
