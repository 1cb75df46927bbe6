import { Redis, type RedisOptions } from 'ioredis';

/**
 * The fleet's Redis connections. The queue's waits through an outage (its commands are held
 * and sent once Redis is back: nothing queued is lost, and every write is safe to resend);
 * the resilience state's fails fast, so a breaker, a limit or the retry budget never waits on
 * Redis and falls back to its local form at once; the subscriber listens for shared
 * changes and resubscribes after a reconnect.
 */
export interface RedisConnectionOptions {
  /** `redis://[:password@]host[:port][/db]` or `rediss://…`. */
  url: string;
  /** Told of connection errors (they are also what makes the fleet go local). */
  onError?: ((error: Error) => void) | undefined;
}

/** Reconnect every 0.2 s at first, then every second at most. */
const reconnectDelay = (times: number): number => Math.min(times * 200, 1_000);

function connect(options: RedisConnectionOptions, extra: RedisOptions): Redis {
  const redis = new Redis(options.url, {
    retryStrategy: reconnectDelay,
    connectTimeout: 2_000,
    // closing destroys the socket at once: ioredis would otherwise wait 2 s on one already closed
    disconnectTimeout: 0,
    lazyConnect: false,
    ...extra,
  });
  // an 'error' event nobody listens to is printed by ioredis itself, past our redacted writer
  redis.on('error', (error: Error) => options.onError?.(error));
  return redis;
}

/** For the queue: commands wait (and are resent) until Redis answers again. */
export function queueConnection(options: RedisConnectionOptions): Redis {
  return connect(options, { maxRetriesPerRequest: null, enableOfflineQueue: true });
}

/** For shared resilience state: a command fails at once while Redis is unreachable, or after 1 s. */
export function fastConnection(options: RedisConnectionOptions): Redis {
  return connect(options, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    autoResendUnfulfilledCommands: false,
  });
}

/**
 * For a one-shot command (`status`, `list`, `requeue`, `check`): it tries to reach Redis for
 * about a second (or one connect timeout), then fails with the connection's error rather than
 * wait for ever.
 */
export function commandConnection(options: RedisConnectionOptions): Redis {
  return connect(options, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    commandTimeout: 10_000,
    retryStrategy: (times) => (times > COMMAND_RECONNECTS ? null : reconnectDelay(times)),
  });
}

/** Reconnections a one-shot command tries (about 1 s in all) before it gives up. */
const COMMAND_RECONNECTS = 2;

/** For pub/sub: resubscribes by itself after a reconnect. */
export function subscriberConnection(options: RedisConnectionOptions): Redis {
  return connect(options, { maxRetriesPerRequest: null, autoResubscribe: true });
}

/** The URL as it may be printed: no user or password. */
export function redisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis (invalid URL)';
  }
}

/** Closes a connection at once (pending commands fail), safe on one already closed. */
export function closeConnection(redis: Redis): void {
  redis.disconnect(false);
}

/**
 * Selects the database the URL names (`redis://…/3`), failing when Redis has no such one:
 * ioredis tells a refused SELECT as an 'error' event only, and goes on in database 0, where
 * another campaign's queue may be.
 */
export async function selectDatabase(redis: Redis, location: string): Promise<void> {
  const db = redis.options.db ?? 0;
  if (db === 0) return;
  await redis.select(db).catch((error: unknown) => {
    throw new Error(
      `Redis at ${location} has no database ${db} (${(error as Error).message}): REDIS_URL names another`,
    );
  });
}

/**
 * Resolves once Redis answers on this (waiting) connection; if it has not after `noticeMs`,
 * says once that it waits, and for what. Rejects with the signal's reason when it aborts.
 */
export async function waitForRedis(
  redis: Redis,
  location: string,
  notice: (message: string) => void,
  signal?: AbortSignal,
  noticeMs = 1_000,
): Promise<void> {
  signal?.throwIfAborted();
  const timer = setTimeout(
    () => notice(`waiting for Redis at ${location} (it does not answer yet)`),
    noticeMs,
  );
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  await selectDatabase(redis, location);
}
