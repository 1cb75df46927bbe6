import { existsSync } from 'node:fs';
import { SqliteCallQueue } from '../queue/index.ts';
import { systemClock, type Clock } from '../resilience/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the queue is when neither `--db` nor DATABASE_PATH says. */
export const DEFAULT_QUEUE_PATH = 'data/call-agent.db';

/** The queue file: `--db`, else DATABASE_PATH, else `data/call-agent.db`. */
export function queuePath(flag: string | undefined, env: Env): string {
  return flag ?? (env.DATABASE_PATH?.trim() || DEFAULT_QUEUE_PATH);
}

/** There is no queue at the path a command was given. */
export class NoQueueError extends Error {
  readonly code = 'E_NO_QUEUE';
  constructor(
    readonly path: string,
    hint = '(a run creates it; --db or DATABASE_PATH names another)',
  ) {
    super(`no queue at ${path} ${hint}`);
  }
}

/** Opens the queue at `path` for a command that reads or mends it; never creates one. */
export function openExistingQueue(path: string, clock: Clock = systemClock): SqliteCallQueue {
  if (path !== ':memory:' && !existsSync(path)) throw new NoQueueError(path);
  return new SqliteCallQueue({ path, clock });
}
