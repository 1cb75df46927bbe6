import type { DestinationStream } from 'pino';
import type { AgentEvent } from '../agent/agent-events.ts';
import type { Campaign } from '../agent/campaign.ts';
import { AlertManager, alertChannelsFromEnv, type AlertChannel } from '../alerts/index.ts';
import { toLoggedEvent } from './agent-log-lines.ts';
import {
  attachLogging,
  attachMetrics,
  createLogger,
  createMetrics,
  LOG_LEVELS,
  sheetsSinkFromEnv,
  startMetricsServer,
  type Logger,
  type LogLevel,
  type Metrics,
  type MetricsServer,
} from '../observability/index.ts';
import type { CallQueue } from '../queue/call-queue.ts';
import { levelText } from '../observability/pretty-format.ts';
import { createOutput, type Output } from '../redaction/output.ts';
import { secretsFromEnv } from '../redaction/secrets-from-env.ts';
import type { Clock, Disposer } from '../resilience/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ObserverOptions {
  env: Env;
  clock: Clock;
  format: 'json' | 'pretty';
  /** Lines below this level are not printed (default INFO); Google Sheets gets them all. */
  printLevel?: LogLevel | undefined;
  /** Where log lines go (default: `output`'s stdout). */
  destination?: DestinationStream | undefined;
  /** The program's writer (default: one that masks the secrets of `env`). */
  output?: Output | undefined;
  /** Serve Prometheus metrics on this port. */
  metricsPort?: number | undefined;
  /** Collect Prometheus metrics (default: when `metricsPort` is given). */
  metrics?: boolean | undefined;
  /** With `metricsPort`: what `GET /readyz` says there (default: no /readyz). */
  readiness?: (() => { ready: boolean } & Record<string, unknown>) | undefined;
  /** Where Google Sheets rows wait while Sheets is down. */
  sheetsSpillPath: string;
  /** Send alerts (default true): through the channels `env` configures, and `extraChannels`. */
  alerts?: boolean;
  /** Channels besides those of `env` (the simulation prints each alert it would send). */
  extraChannels?: readonly AlertChannel[];
  /**
   * Where alert and Sheets deliveries wait (retries, rate limits, the shutdown grace); default
   * `clock`. A simulation's clock is virtual, its deliveries are real.
   */
  deliveryClock?: Clock;
}

/** The sinks of a campaign: log lines, Sheets, metrics and alerts. */
export interface Observers {
  logger: Logger;
  metrics: Metrics | undefined;
  alerts: AlertManager | undefined;
  /** Subscribes every sink to the campaign's policies, health checker and agent events. */
  watch(campaign: Campaign, queue: CallQueue): Disposer;
  /**
   * Stops the sinks, giving them `graceMs` (clock time; default none) to deliver what they
   * hold. Resolves within the grace, whatever the channels do.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * "Circuit OPEN. Skipping call." lines per service and outage; after them a summary line per
 * interval says how many contacts wait (metrics count every skip).
 */
const SKIP_LINES_PER_OUTAGE = 3;

/** How long a scrape waits for the queue's counts; past it, the last counts stand. */
const QUEUE_DEPTH_READ_MS = 1_000;

/** Builds the sinks the environment configures; the logger always. */
export async function createObservers(options: ObserverOptions): Promise<Observers> {
  const { env, clock } = options;
  const deliveryClock = options.deliveryClock ?? clock;
  const secrets = secretsFromEnv(env);
  const output = options.output ?? createOutput({ secrets });
  const printLevel = options.printLevel ?? 'INFO';
  const printed = (level: LogLevel): boolean =>
    LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(printLevel);
  const sheets = sheetsSinkFromEnv(env, {
    spillPath: options.sheetsSpillPath,
    clock: deliveryClock,
    log: (level, message) => {
      if (printed(level)) output.err([levelText(level), ` sheets: ${message}`]);
    },
  });
  const logger = createLogger({
    format: options.format,
    clock,
    printLevel,
    secrets,
    destination: options.destination ?? output.stdout,
    ...(sheets && { sinks: [sheets] }),
  });
  const metrics =
    (options.metrics ?? options.metricsPort !== undefined) ? createMetrics() : undefined;
  let server: MetricsServer | undefined;
  if (metrics && options.metricsPort !== undefined) {
    server = await startMetricsServer({
      port: options.metricsPort,
      registry: metrics.registry,
      readiness: options.readiness,
    });
    logger.log('INFO', `metrics served at ${server.url}`, { event: 'metrics_server' });
  }
  const channels =
    options.alerts === false
      ? []
      : [...alertChannelsFromEnv(env, { clock: deliveryClock }), ...(options.extraChannels ?? [])];
  const alerts =
    channels.length === 0
      ? undefined
      : new AlertManager({
          channels,
          clock: deliveryClock,
          secrets,
          redact: logger.redact,
          log: (level, message) =>
            logger.log(
              level === 'info' ? 'INFO' : level === 'warning' ? 'WARNING' : 'ERROR',
              message,
              {
                event: 'alert',
              },
            ),
          onSent: (channel) => metrics?.alertSent(channel),
          onFailed: (channel) => metrics?.alertFailed(channel),
        });

  return {
    logger,
    metrics,
    alerts,
    watch(campaign, queue) {
      const disposers: Disposer[] = [];
      const sources = [...campaign.policies.values(), campaign.health];
      for (const source of sources) {
        disposers.push(
          attachLogging(source, logger, { skipLinesPerOutage: SKIP_LINES_PER_OUTAGE }),
        );
        if (metrics) disposers.push(attachMetrics(source, metrics));
        if (alerts) disposers.push(alerts.attach(source));
      }
      // the contacts that wait on a service: the first few of an outage each get a line,
      // then the periodic `contacts_waiting` line speaks for all of them
      const waitLines = new Map<string, number>();
      for (const policy of campaign.policies.values()) {
        disposers.push(
          policy.onStateChanged((event) => {
            if (event.from === 'CLOSED') waitLines.delete(event.service);
          }),
        );
      }
      const worthALine = (event: AgentEvent): boolean => {
        if (event.type !== 'contact_deferred' || !event.untilReleased) return true;
        const service = event.service ?? 'Agent';
        const lines = waitLines.get(service) ?? 0;
        waitLines.set(service, lines + 1);
        return lines < SKIP_LINES_PER_OUTAGE;
      };
      disposers.push(
        campaign.events.subscribe((event) => {
          if (!worthALine(event)) return;
          if (event.type === 'programming_error') {
            logger.bug('Agent', event.stack ?? event.message, { contact_id: event.contactId });
            return;
          }
          const logged = toLoggedEvent(event);
          if (logged) logger.event({ type: 'agent', event: logged });
        }),
      );
      if (metrics) {
        // a queue that does not answer (the fleet's Redis away) must not hold a scrape
        disposers.push(
          metrics.readQueueDepthFrom(async () => {
            const deadline = new AbortController();
            try {
              return await Promise.race([
                queue.counts(),
                clock.sleep(QUEUE_DEPTH_READ_MS, deadline.signal).then(() => {
                  throw new Error('the queue did not answer');
                }),
              ]);
            } finally {
              deadline.abort();
            }
          }),
        );
      }
      return () => disposers.forEach((dispose) => dispose());
    },
    async close(graceMs = 0) {
      // The sinks get `graceMs` to deliver what they hold; then alerts not sent are written
      // to the log with their text and Sheets rows stay in the spill file.
      const grace = new AbortController();
      const timer = deliveryClock.setTimer(
        () => grace.abort(new Error(`shutdown grace of ${graceMs} ms is over`)),
        graceMs,
      );
      try {
        await Promise.all([alerts?.close(grace.signal), sheets?.close(grace.signal)]);
      } finally {
        timer.clear();
        await server?.close();
      }
    },
  };
}
