import type { LogLevel } from '../observability/index.ts';
import type { CountryCode } from 'libphonenumber-js/max';
import { importContacts } from '../agent/contacts/index.ts';
import type { AppConfig } from '../config.ts';
import {
  closeConnection,
  liveWorkers,
  queueConnection,
  redisLocation,
  waitForRedis,
} from '../fleet/index.ts';
import { RedisCallQueue } from '../queue/redis/redis-call-queue.ts';
import type { Output } from '../redaction/output.ts';
import { systemClock, type Clock } from '../resilience/index.ts';
import { fleetQueueAddress, fleetQueueOptions } from './fleet-from-config.ts';
import { formatImport, importReport } from './import-report.ts';
import { createObservers } from './observers.ts';
import { reportRejectedRows } from './rejected-rows.ts';
import { ResourceStack } from './resource-stack.ts';
import { buildSummary, exitCodeFor, formatSummary, type RunSummary } from './summary.ts';
import { QueueUnansweredError } from './queue-unanswered-error.ts';
import { within } from './drain.ts';
import { openSummaryJson } from './summary-json.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface RunOnFleetOptions {
  config: AppConfig;
  contactsFile: string;
  env: Env;
  logFormat: 'json' | 'pretty';
  /** Log lines below this level are not printed. */
  printLevel?: LogLevel | undefined;
  maxDurationSeconds?: number | undefined;
  summaryJson?: string | undefined;
  defaultRegion?: CountryCode | undefined;
  signal?: AbortSignal | undefined;
  output: Output;
  clock?: Clock | undefined;
  /** How often the queue is looked at while the workers work. */
  pollMs?: number | undefined;
}

/** How often progress is told on stderr, at most. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * `call-agent run --queue redis`: imports the CSV into the fleet's queue on Redis and waits
 * until the workers (`call-agent worker`) have finished it — every contact completed or
 * failed and the CRM outbox empty — or `--max-duration` passes. It calls no provider itself.
 * Exit codes as `run`'s: 0 done, 3 work left queued.
 */
export async function runOnFleet(options: RunOnFleetOptions): Promise<number> {
  const { config, output } = options;
  const clock = options.clock ?? systemClock;
  const summaryJson =
    options.summaryJson === undefined
      ? undefined
      : await openSummaryJson(options.summaryJson, output);
  const resources = new ResourceStack();
  try {
    const { url, prefix, where: location } = fleetQueueAddress(config, options.env);
    const redis = queueConnection({ url });
    resources.defer(() => closeConnection(redis));
    await waitForRedis(
      redis,
      redisLocation(url),
      (message) => output.err(`call-agent: ${message}`),
      options.signal,
    ).catch((error: unknown) => {
      if (!options.signal?.aborted) throw error;
      throw new Error('stopped while waiting for Redis: nothing was enqueued');
    });
    const queue = new RedisCallQueue({
      ...fleetQueueOptions(config),
      redis,
      prefix: config.fleet.key_prefix,
      location,
    });
    const observers = await createObservers({
      env: options.env,
      output,
      clock,
      format: options.logFormat,
      printLevel: options.printLevel,
      alerts: false,
      sheetsSpillPath: 'data/sheets-spill.jsonl',
    });
    resources.defer(() => observers.close());
    const defaultRegion = options.defaultRegion ?? config.contacts.default_region;
    const imported = await importContacts({ path: options.contactsFile }, { queue, defaultRegion });
    reportRejectedRows(imported.errors, observers.logger, output);
    const report = importReport(options.contactsFile, imported);
    const total = Object.values(await queue.counts()).reduce((sum, n) => sum + n, 0);
    output.err(`${formatImport(report, total)} (${location})`);
    const workers = await liveWorkers(redis, prefix);
    output.err(
      workers === 0
        ? 'no worker is running: the contacts wait in the queue until `call-agent worker` starts'
        : `${workers} worker${workers === 1 ? '' : 's'} at work; waiting for the campaign to finish`,
    );
    const ended = await waitForTheFleet(queue, clock, output, { ...options, location });
    // Redis down at the stop: the summary cannot be read, and nothing is lost by not waiting
    const reads = await within(
      Promise.all([queue.counts(), queue.outboxSize()]),
      END_WITHIN_MS,
      clock,
    );
    if (reads === undefined) {
      throw new QueueUnansweredError(
        END_WITHIN_MS,
        'the contacts stay queued for the workers (`status --queue redis` tells what they did once Redis is back)',
      );
    }
    const [counts, outbox] = reads;
    const summary: RunSummary = {
      ...buildSummary({ counts, services: {}, circuitStates: {}, outbox, ended }),
      imported: report,
    };
    await resources.closeAll();
    await summaryJson?.write(summary);
    output.errBlock(formatSummary(summary));
    return exitCodeFor(summary);
  } finally {
    await resources.closeAll().finally(() => summaryJson?.close());
  }
}

/** Once stopped, how long the summary's reads may wait for Redis. */
const END_WITHIN_MS = 3_000;

/** How long a read of the queue may wait before the run says that Redis does not answer. */
const NOTICE_AFTER_MS = 5_000;

/**
 * A read Redis may leave unanswered (it is down: the queue's connection waits for it): says so
 * once it has waited NOTICE_AFTER_MS, and gives up (undefined) when the signal aborts.
 */
async function patiently<T>(
  read: Promise<T>,
  clock: Clock,
  signal: AbortSignal | undefined,
  tell: () => void,
): Promise<T | undefined> {
  const done = new AbortController();
  const stopped = new Promise<undefined>((resolve) => {
    if (signal?.aborted) resolve(undefined);
    signal?.addEventListener('abort', () => resolve(undefined), {
      once: true,
      signal: done.signal,
    });
  });
  clock.sleep(NOTICE_AFTER_MS, done.signal).then(tell, () => undefined);
  try {
    return await Promise.race([read, stopped]);
  } finally {
    done.abort();
  }
}

/** Waits until nothing is left to do, the time is up or the signal aborts. */
async function waitForTheFleet(
  queue: RedisCallQueue,
  clock: Clock,
  output: Output,
  options: RunOnFleetOptions & { location: string },
): Promise<RunSummary['ended']> {
  const start = clock.now();
  const maxMs =
    options.maxDurationSeconds === undefined ? Infinity : options.maxDurationSeconds * 1000;
  let toldAt = start;
  let silent = false;
  const tell = (): void => {
    if (silent) return;
    silent = true;
    output.err(
      `Redis at ${options.location} does not answer: waiting for it (the workers go on alone; Ctrl-C stops waiting, the contacts stay queued)`,
    );
  };
  const ask = <T>(read: () => Promise<T>) => patiently(read(), clock, options.signal, tell);
  for (;;) {
    const unfinished = await ask(
      async () => (await queue.hasUnfinished()) || (await queue.outboxSize()) > 0,
    );
    if (unfinished === undefined || options.signal?.aborted) return 'interrupted';
    if (silent) {
      silent = false;
      output.err(`Redis at ${options.location} answers again`);
    }
    if (!unfinished) return 'drained';
    if (clock.now() - start >= maxMs) return 'max_duration';
    if (clock.now() - toldAt >= PROGRESS_EVERY_MS) {
      toldAt = clock.now();
      const c = await ask(() => queue.counts());
      if (c === undefined) return 'interrupted';
      output.err(
        `campaign: ${c.completed + c.failed} finished, ${c.in_progress} in progress, ${c.pending} pending, ${c.deferred} deferred`,
      );
    }
    const waitMs = Math.min(options.pollMs ?? 250, Math.max(0, start + maxMs - clock.now()));
    await clock.sleep(waitMs, options.signal).catch(() => undefined);
  }
}
