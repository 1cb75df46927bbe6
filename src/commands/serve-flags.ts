import type { QueueChoice } from './session-queue.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The flags of `call-agent serve` that choose its queue. */
export interface ServeQueueFlags {
  queue: 'sqlite' | 'redis';
  db?: string | undefined;
  dataDir?: string | undefined;
  mockProviders?: boolean | undefined;
  concurrency?: number | undefined;
}

/**
 * The queue `serve`'s flags choose, or why they do not go together (a usage error): on Redis
 * the queue is the fleet's and the workers call (no `--db`, no `--mock-providers` of its
 * own); on SQLite the data lives beside `--db` and this server is the only one that calls.
 */
export function serveQueueFrom(flags: ServeQueueFlags, env: Env): QueueChoice | string {
  if (flags.queue === 'redis') {
    if (flags.db !== undefined) {
      return "with --queue redis the queue is the fleet's, on Redis (REDIS_URL): --db is for --queue sqlite";
    }
    if (flags.mockProviders) {
      return 'with --queue redis the workers call the providers: start `call-agent mock-providers` and give every process its variables';
    }
    return { queue: 'redis', dataDir: flags.dataDir ?? 'data' };
  }
  if (flags.dataDir !== undefined) {
    return '--data-dir is for --queue redis: on SQLite the data lives beside --db';
  }
  if (flags.concurrency === 0) {
    return '--concurrency 0 is for --queue redis, where workers call: on SQLite this server is the only one';
  }
  return { queue: 'sqlite', db: flags.db ?? env.DATABASE_PATH ?? 'data/call-agent.db' };
}
