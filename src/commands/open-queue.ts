import type { CallQueue } from '../queue/call-queue.ts';
import type { CommandContext } from './command-context.ts';
import { openExistingQueue, queuePath } from './queue-file.ts';

/** Where the queue is: a SQLite file on this machine, or the fleet's Redis. */
export type QueueBackend = 'sqlite' | 'redis';

/** The flags `status`, `list` and `requeue` find their queue with. */
export interface QueueFlags {
  queue?: QueueBackend | undefined;
  /** The SQLite file (`--db`); refused with `--queue redis`. */
  db?: string | undefined;
  /** The configuration naming the fleet's key prefix (`--config`), for `--queue redis`. */
  config?: string | undefined;
}

/** The workers of a fleet that are alive: each heard from within the last `heardWithinMs`. */
export interface FleetWorkers {
  alive: number;
  heardWithinMs: number;
}

/** A queue a one-shot command reads or mends, named as the operator knows it. */
export interface CommandQueue {
  queue: CallQueue;
  /** `data/call-agent.db`, or `redis://127.0.0.1:6379 {call-agent}`. */
  where: string;
  /** Who takes up the contacts made due: `the next \`call-agent run\``, or the fleet's workers. */
  taker: string;
  /** The fleet's live workers (Redis), undefined for a SQLite file. */
  workers(): Promise<FleetWorkers | undefined>;
  close(): Promise<void>;
}

/** Opens the queue the flags name, one that exists; never creates one. */
export async function openCommandQueue(
  flags: QueueFlags,
  { env }: Pick<CommandContext, 'env'>,
): Promise<CommandQueue> {
  if (flags.queue === 'redis') {
    const { openFleetQueue } = await import('./fleet-queue.ts');
    return openFleetQueue(flags.config, env);
  }
  const where = queuePath(flags.db, env);
  const queue = openExistingQueue(where);
  return {
    queue,
    where,
    taker: 'the next `call-agent run`',
    workers: () => Promise.resolve(undefined),
    close: () => queue.close(),
  };
}
