import type { AudioStore } from '../agent/audio-store.ts';
import { Campaign } from '../agent/campaign.ts';
import type { CampaignFleet } from '../agent/campaign-fleet.ts';
import { campaignTimings, policyForService, type AppConfig } from '../config.ts';
import type { Providers } from '../providers/index.ts';
import type { CallQueue } from '../queue/call-queue.ts';
import { VirtualClock, type Clock, type TimerHandle } from '../resilience/index.ts';
import { BlockedServices } from '../agent/blocked-services.ts';
import { checkGiveUp, type GiveUp } from '../agent/give-up.ts';
import type { Observers } from './observers.ts';
import { QueueUnansweredError } from './queue-unanswered-error.ts';
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
  /** Works until stopped: an empty queue is idle (`call-agent serve`, a worker of a fleet). */
  continuous?: boolean | undefined;
  /** The fleet this worker shares its resilience with (a worker on Redis). */
  fleet?: CampaignFleet | undefined;
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
    ...campaignTimings(config),
    concurrency: options.concurrency,
    workerId: options.workerId,
    fleet: options.fleet,
    continuous: options.continuous,
  });
  const dispose = options.observers.watch(campaign, options.queue);
  return { campaign, dispose };
}

export interface RunToEndOptions {
  /** Stop after this long (clock time). */
  maxDurationMs?: number | undefined;
  /**
   * Stop when every contact left waits on services a person must fix (a circuit held open
   * by a `permanent/service` error) for this long. Default: never.
   */
  giveUpAfterMs?: number | undefined;
  /** Stops the run (SIGINT, SIGTERM). */
  signal?: AbortSignal | undefined;
  /**
   * On a VirtualClock: run its timers paced by real time, this many times faster (default:
   * as fast as they go).
   */
  pace?: number | undefined;
  /**
   * Once stopped, how long the campaign and the summary's reads may take before the queue is
   * taken for unreachable (a fleet's Redis down) and the run ends with QueueUnansweredError.
   * Default: for as long as they take.
   */
  endWithinMs?: number | undefined;
}

/** How often the run looks whether it should give up: a tenth of the wait, at most 30 s. */
const giveUpCheckEvery = (afterMs: number): number => Math.min(30_000, Math.max(1, afterMs / 10));

/**
 * Runs the campaign until it drains, the time is up, it gives up on a service a person must
 * fix, or the signal aborts. On a VirtualClock time jumps from timer to timer, so an hour of
 * outage passes in milliseconds.
 */
export async function runToEnd(
  campaign: Campaign,
  queue: CallQueue,
  options: RunToEndOptions = {},
): Promise<RunSummary> {
  const clock = campaign.clock;
  const stop = new AbortController();
  let ended: RunSummary['ended'] = 'drained';
  let gaveUp: GiveUp | undefined;
  let failure: unknown;
  const end = (why: RunSummary['ended'], reason: unknown): void => {
    if (stop.signal.aborted) return;
    ended = why;
    stop.abort(reason);
  };
  const onSignal = (): void => end('interrupted', options.signal?.reason);
  if (options.signal?.aborted) onSignal();
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const maxDurationMs = options.maxDurationMs;
  const deadline =
    maxDurationMs === undefined
      ? undefined
      : clock.setTimer(() => end('max_duration', new Error('max duration reached')), maxDurationMs);
  let nextLook: TimerHandle | undefined;
  const blocked = new BlockedServices(campaign.policies.values());
  const afterMs = options.giveUpAfterMs;
  if (afterMs !== undefined) {
    const look = (): void => {
      void checkGiveUp({
        queue,
        blocked: blocked.list(),
        now: clock.now(),
        afterMs,
        crmService: campaign.crmService,
      }).then(
        (verdict) => {
          if (verdict === undefined) nextLook = clock.setTimer(look, giveUpCheckEvery(afterMs));
          else {
            gaveUp = verdict;
            end('gave_up', new Error('gave up: waiting on services a person must fix'));
          }
        },
        (error: unknown) => {
          failure = error;
          stop.abort(error);
        },
      );
    };
    nextLook = clock.setTimer(look, giveUpCheckEvery(afterMs));
  }
  try {
    const running = campaign.run(stop.signal);
    if (clock instanceof VirtualClock) {
      let finished = false;
      running.then(
        () => (finished = true),
        () => (finished = true),
      );
      const done = (): boolean => finished;
      if (options.pace === undefined) await clock.runUntil(done);
      else await clock.runInRealTime(done, options.pace);
    }
    await endedWithin(running, stop.signal, options.endWithinMs, clock);
  } finally {
    deadline?.clear();
    nextLook?.clear();
    blocked.dispose();
    options.signal?.removeEventListener('abort', onSignal);
  }
  if (failure !== undefined) throw failure;
  const circuitStates = Object.fromEntries(
    [...campaign.policies].map(([name, p]) => [name, p.state]),
  );
  const reads = Promise.all([queue.counts(), queue.outboxSize()]);
  const [counts, outbox] = await endedWithin(reads, stop.signal, options.endWithinMs, clock);
  return buildSummary({
    counts,
    services: campaign.stats.snapshot(),
    circuitStates,
    outbox,
    ended,
    gaveUp,
  });
}

/** `work`, unless it is still going `withinMs` after `stopped` aborted: QueueUnansweredError. */
async function endedWithin<T>(
  work: Promise<T>,
  stopped: AbortSignal,
  withinMs: number | undefined,
  clock: Clock,
): Promise<T> {
  if (withinMs === undefined) return work;
  const timer = new AbortController();
  const overdue = new Promise<never>((_, reject) => {
    const start = (): void => {
      clock.sleep(withinMs, timer.signal).then(
        () => reject(new QueueUnansweredError(withinMs)),
        () => undefined,
      );
    };
    if (stopped.aborted) start();
    else stopped.addEventListener('abort', start, { once: true, signal: timer.signal });
  });
  try {
    return await Promise.race([work, overdue]);
  } finally {
    timer.abort();
  }
}
