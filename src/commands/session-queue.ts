import { dirname } from 'node:path';
import type { Campaign } from '../agent/campaign.ts';
import type { AppConfig } from '../config.ts';
import type { Fleet, FleetLogLevel } from '../fleet/index.ts';
import {
  SqliteCallQueue,
  type CallQueue,
  type ContactHistory,
  type QueueAdmin,
} from '../queue/index.ts';
import {
  HISTORY_CHANNEL,
  parseAppended,
  type AppendedEvents,
} from '../queue/redis/redis-contact-history.ts';
import type { Clock, Disposer } from '../resilience/index.ts';
import { fleetQueueOptions, openFleet } from './fleet-from-config.ts';
import { fleetReadiness, joinFleet, memberId, type Readiness } from './fleet-member.ts';
import type { ResourceStack } from './resource-stack.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Which queue a long-running process works: a SQLite file, or the fleet's on Redis. */
export type QueueChoice = { queue: 'sqlite'; db: string } | { queue: 'redis'; dataDir: string };

/** Where the process keeps its audio files and Sheets spill file: beside the queue's file. */
export function dataDirOf(choice: QueueChoice): string {
  if (choice.queue === 'redis') return choice.dataDir;
  return choice.db === ':memory:' ? 'data' : dirname(choice.db);
}

export interface SessionQueueOptions {
  config: AppConfig;
  env: Env;
  clock: Clock;
  /** Where the fleet says what happens to it (waiting for Redis, lost, rejoined). */
  log: (level: FleetLogLevel, message: string, event: string) => void;
  /** Stops waiting for a Redis that does not answer. */
  signal?: AbortSignal | undefined;
  /** Where what is opened is closed. */
  resources: ResourceStack;
  /** Redis: this process's name in the fleet (default `host:pid`). */
  workerId?: string | undefined;
}

/** The queue of a session, with what goes with it. */
export interface SessionQueue {
  queue: CallQueue & QueueAdmin;
  /** The contacts' histories, beside them (every member of a fleet writes there). */
  history: ContactHistory;
  /** The queue as an operator names it: its file, or Redis and the key prefix. */
  location: string;
  /** Redis: the fleet the campaign shares its resilience with, and its name there. */
  fleet?: Fleet | undefined;
  workerId?: string | undefined;
  /**
   * Before the campaign runs: its breakers keep their state in the queue's file (an open
   * circuit stays open after a restart), or share the fleet's (see `joinFleet`).
   */
  join(campaign: Campaign): Promise<void>;
  /** Redis: whether this process is a member of the fleet now (`/readyz`). */
  readiness?: (() => Readiness) | undefined;
  /** Redis: the contacts' events the other members write, as they write them. */
  followOthers?: ((listener: (appended: AppendedEvents) => void) => Promise<Disposer>) | undefined;
}

/** Opens the queue `choice` names; closed with `options.resources`. */
export async function openSessionQueue(
  choice: QueueChoice,
  options: SessionQueueOptions,
): Promise<SessionQueue> {
  const { config, clock, resources } = options;
  if (choice.queue === 'sqlite') {
    const queue = new SqliteCallQueue({
      path: choice.db,
      clock,
      maxFailedAttempts: config.queue.max_failed_attempts,
    });
    resources.defer(() => queue.close());
    return {
      queue,
      history: queue.contactHistory(),
      location: choice.db,
      join: async (campaign) => {
        resources.defer(await campaign.keepCircuitsIn(queue.circuitStateStore()));
      },
    };
  }
  const workerId = options.workerId ?? memberId();
  const fleet = await openFleet({ ...options, workerId }).catch((error: unknown) => {
    if (!options.signal?.aborted) throw error;
    throw new Error('stopped while waiting for Redis: nothing was done');
  });
  resources.defer(() => fleet.close());
  const queue = fleet.queue(fleetQueueOptions(config));
  resources.defer(() => queue.close());
  return {
    queue,
    history: queue.contactHistory({ origin: workerId }),
    location: `${fleet.location} ${queue.prefix}`,
    fleet,
    workerId,
    join: (campaign) => joinFleet(fleet, campaign, queue, clock, resources),
    readiness: () => fleetReadiness(fleet),
    followOthers: (listener) =>
      fleet.listen(HISTORY_CHANNEL, (message) => {
        const appended = parseAppended(message);
        if (appended !== undefined && appended.origin !== workerId) listener(appended);
      }),
  };
}
