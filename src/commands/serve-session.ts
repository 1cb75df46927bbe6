import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { CountryCode } from 'libphonenumber-js/max';
import type { FastifyInstance } from 'fastify';
import { FileAudioStore, type AudioStore } from '../agent/audio-store.ts';
import type { Campaign } from '../agent/campaign.ts';
import type { AppConfig } from '../config.ts';
import {
  describeMockLimits,
  mockProviderEnv,
  providersFromSettings,
  runMockProviders,
  type HttpClient,
  type MockProviders,
} from '../providers/index.ts';
import type { CallQueue, QueueAdmin } from '../queue/index.ts';
import type { Output } from '../redaction/output.ts';
import { redactStrings } from '../redaction/redact.ts';
import { systemClock, type Clock } from '../resilience/index.ts';
import { buildApp } from '../server/app.ts';
import { EventHub } from '../server/event-hub.ts';
import { createServerMetrics } from '../server/server-metrics.ts';
import type { Lifecycle, ServedAgent } from '../server/served-agent.ts';
import { ServiceMonitor } from '../server/service-monitor.ts';
import { createSession } from './campaign-session.ts';
import { drainInFlight, within } from './drain.ts';
import { recordContactHistory } from './contact-history-recorder.ts';
import { createObservers } from './observers.ts';
import { providerSettingsFor } from './provider-settings.ts';
import { ResourceStack } from './resource-stack.ts';
import { dataDirOf, openSessionQueue, type QueueChoice } from './session-queue.ts';
import { count } from '../text/count.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** How long open connections (a dashboard polling) get to finish once the server closes. */
const CLOSE_GRACE_MS = 2_000;

/** Stops listening; connections still open after the grace are cut. */
async function closeApp(app: FastifyInstance, clock: Clock): Promise<void> {
  const grace = new AbortController();
  await Promise.race([
    app.close(),
    clock.sleep(CLOSE_GRACE_MS, grace.signal).then(
      () => app.server.closeAllConnections(),
      () => undefined,
    ),
  ]);
  grace.abort();
}

export interface ServeSessionOptions {
  config: AppConfig;
  env: Env;
  /** The queue: a SQLite file, or the fleet's on Redis (REDIS_URL, `fleet.key_prefix`). */
  store: QueueChoice;
  /** Contacts in flight at once; 0 (Redis only): the server takes none, the workers do. */
  concurrency: number;
  logFormat: 'json' | 'pretty';
  output: Output;
  /** Start mock providers on loopback and use them (`--mock-providers`). */
  mockProviders?: boolean | undefined;
  /** Mock providers already running (tests: in process); `env` points at them. */
  mock?: MockProviders | undefined;
  /** How the adapters speak HTTP (tests: to the in-process mock). */
  httpClient?: HttpClient | undefined;
  clock?: Clock | undefined;
  /** Where log lines go (default: `output`'s stdout). */
  destination?: DestinationStream | undefined;
  audio?: AudioStore | undefined;
  audioBaseUrl?: string | undefined;
  defaultRegion?: CountryCode | undefined;
  /** `API_TOKEN`: every route but the health ones and the page's files want it. */
  token?: string | undefined;
  /** Answer loopback host names only (no token). */
  loopbackOnly: boolean;
  /** One sample of the services' timeline this often (default: the monitor's). */
  timelineStepMs?: number | undefined;
  /** Redis: this server's name in the fleet (default `host:pid`). */
  workerId?: string | undefined;
  /** Redis: stops waiting for a Redis that does not answer. */
  signal?: AbortSignal | undefined;
}

export interface ServeSession {
  app: FastifyInstance;
  agent: ServedAgent;
  campaign: Campaign;
  queue: CallQueue & QueueAdmin;
  /** The queue as an operator names it: its file, or Redis and the key prefix. */
  location: string;
  /** Settles when the campaign stops: after `shutdown`, or on a queue failure (rejects). */
  running: Promise<void>;
  /**
   * Stops gracefully: `/readyz` fails at once, no contact is claimed, those in flight get
   * `server.drain_timeout` to finish and the rest go back to the queue; then the server, the
   * sinks (within `shutdown_grace`) and the queue close. Safe to call twice.
   */
  shutdown(): Promise<void>;
}

/**
 * Everything `call-agent serve` runs, wired: the providers (or mock ones), the sinks, the
 * queue with the breakers' state and the contacts' histories in its file (or a place in the
 * fleet on Redis: its queue, shared breakers and histories), the campaign working
 * continuously, the event hub and the API. Not listening yet: `app.listen` (or `app.inject`).
 */
export async function openServeSession(options: ServeSessionOptions): Promise<ServeSession> {
  const { config, output } = options;
  const clock = options.clock ?? systemClock;
  const resources = new ResourceStack();
  try {
    let env = options.env;
    let mock = options.mock;
    if (options.mockProviders && mock === undefined) {
      const running = await runMockProviders({ host: '127.0.0.1', port: 0, clock });
      resources.defer(() => running.close());
      output.err(`mock providers at ${running.origin}; break and heal them from the dashboard`);
      output.err(describeMockLimits().replace(/^# /, ''));
      env = { ...env, ...mockProviderEnv(running.baseUrls) };
      mock = running.mock;
    }
    const providers = providersFromSettings(providerSettingsFor(env, config), {
      clock,
      httpClient: options.httpClient,
    });
    const dataDir = dataDirOf(options.store);
    let audio = options.audio;
    if (audio === undefined) {
      const files = new FileAudioStore({
        dir: join(dataDir, 'audio'),
        publicBaseUrl: options.audioBaseUrl,
        retentionMs: config.audio.retention * 1000,
        clock,
      });
      await files.check(); // an unwritable folder is found before anything is paid for
      await files.sweep();
      audio = files;
    }
    const observers = await createObservers({
      env,
      output,
      clock,
      format: options.logFormat,
      destination: options.destination,
      metrics: true,
      // the processes of a fleet may share a data folder: a spill file each
      sheetsSpillPath: join(
        dataDir,
        options.store.queue === 'redis'
          ? `sheets-spill-${process.pid}.jsonl`
          : 'sheets-spill.jsonl',
      ),
    });
    resources.defer(() => observers.close(config.shutdown_grace * 1000));
    const { logger, metrics } = observers;
    const stored = await openSessionQueue(options.store, {
      config,
      env,
      clock,
      log: (level, message, event) => logger.log(level, message, { event }),
      resources,
      workerId: options.workerId,
      signal: options.signal,
    });
    const { queue } = stored;
    const { campaign, dispose } = createSession({
      config,
      providers,
      queue,
      audio,
      clock,
      concurrency: options.concurrency,
      observers,
      workerId: stored.workerId,
      fleet: stored.fleet,
      continuous: true,
    });
    resources.defer(dispose);
    const hub: EventHub = new EventHub({ clock, onDropped: () => serverMetrics.dropped() });
    const serverMetrics = createServerMetrics(metrics!.registry, hub);
    resources.defer(logger.addSink({ write: (record) => hub.publish('log', record) }));
    for (const policy of campaign.policies.values()) {
      resources.defer(
        policy.onStoreError((event) =>
          logger.log(
            'ERROR',
            `the breaker's state could not be ${event.operation === 'save' ? 'saved' : 'read'}: ${event.error.message}`,
            { service: event.service, event: 'circuit_store_error' },
          ),
        ),
      );
    }
    // before the campaign runs: a circuit that was open stays open, or is the fleet's
    await stored.join(campaign);
    const recorder = recordContactHistory(campaign, stored.history, logger, clock);
    resources.defer(() => recorder.dispose());
    if (stored.followOthers) {
      // what the other members of the fleet record about contacts reaches the feed too
      resources.defer(
        await stored.followOthers(({ events }) => {
          for (const { contactId, record } of events) {
            hub.publish('log', redactStrings({ ...record, contact_id: contactId }, logger.redact));
          }
        }),
      );
    }
    const monitor = new ServiceMonitor({
      policies: campaign.policies,
      health: campaign.health,
      clock,
      probeIntervalMs: config.health_check.interval * 1000,
      ...(options.timelineStepMs !== undefined && { stepMs: options.timelineStepMs }),
    });
    resources.defer(() => monitor.dispose());
    const lifecycle: Lifecycle = { draining: false };
    const agent: ServedAgent = {
      campaign,
      queue,
      history: {
        list: async (contactId) => {
          await recorder.flush(); // what happened a moment ago is part of it
          return stored.history.list(contactId);
        },
      },
      readiness: stored.readiness,
      clock,
      defaultRegion: options.defaultRegion ?? config.contacts.default_region,
      hub,
      monitor,
      metrics: metrics!,
      serverMetrics,
      lifecycle,
      redact: output.redact,
      log: (level, message, event) => logger.log(level, message, { event }),
      mock,
    };
    const app = buildApp({ agent, token: options.token, loopbackOnly: options.loopbackOnly });
    resources.defer(() => closeApp(app, clock));
    // first of all: the event streams end, so the server has no open stream to wait for
    resources.defer(() => hub.close());

    const stop = new AbortController();
    const running = campaign.run(stop.signal).then(() => undefined);
    running.catch(() => undefined); // read by the caller; not an unhandled rejection meanwhile
    let shuttingDown: Promise<void> | undefined;
    const shutdown = async (): Promise<void> => {
      lifecycle.draining = true;
      const left = await drainInFlight(campaign, {
        clock,
        drainMs: config.server.drain_timeout * 1000,
        log: (message) => logger.log('WARNING', message, { event: 'shutdown' }),
      });
      stop.abort(new Error('interrupted'));
      // a campaign whose queue does not answer (Redis down) ends when its connection closes
      await within(
        running.catch(() => undefined),
        CLOSE_GRACE_MS,
        clock,
      );
      if (left > 0) {
        logger.log('WARNING', `${count(left, 'contact')} in flight went back to the queue`, {
          event: 'shutdown',
        });
      }
      await resources.closeAll();
    };
    return {
      app,
      agent,
      campaign,
      queue,
      location: stored.location,
      running,
      shutdown: () => (shuttingDown ??= shutdown()),
    };
  } catch (error) {
    await resources.closeAll().catch(() => undefined);
    throw error;
  }
}
