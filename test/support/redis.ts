import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/**
 * Redis for the tests: the shared server (127.0.0.1:6379, or TEST_REDIS_URL), used with a
 * random key prefix per test and cleaned up after (never FLUSHALL: others use it), and
 * private `redis-server` processes for the tests that restart or fill one.
 *
 * Without Redis the Redis-backed tests are skipped with a notice on stderr, unless
 * REQUIRE_REDIS=1 (CI): then each such block fails, saying why.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const required = process.env.REQUIRE_REDIS === '1';

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const sharedAnswers = await answers(TEST_REDIS_URL);
const serverInstalled = existsSync(REDIS_SERVER);

/**
 * `describe` for tests against the shared Redis (`needs: 'shared'`) or a private
 * `redis-server` (`needs: 'server'`): skipped with a notice when it is missing, failing when
 * REQUIRE_REDIS=1.
 */
export function describeWithRedis(
  name: string,
  body: () => void,
  needs: 'shared' | 'server' = 'shared',
): void {
  const missing =
    needs === 'shared'
      ? sharedAnswers
        ? undefined
        : `no Redis answers at ${TEST_REDIS_URL}`
      : serverInstalled
        ? undefined
        : `${REDIS_SERVER} is not installed`;
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  if (required) {
    describe(name, () => {
      it('has the Redis it needs', () => {
        throw new Error(`REQUIRE_REDIS=1, but ${missing}`);
      });
    });
    return;
  }
  process.stderr.write(
    `NOTICE: skipping "${name}": ${missing} (set REQUIRE_REDIS=1 to make this a failure)\n`,
  );
  describe.skip(name, body);
}

/** A fresh key prefix: nothing else in the shared Redis uses it. */
export function testPrefix(): string {
  return `test-${randomUUID().slice(0, 12)}`;
}

/** A connection to the shared test Redis. */
export function testRedis(url = TEST_REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

/** Deletes every key of `prefix` (as the queue and the fleet spell it: `{prefix}…`). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const pattern = `{${prefix}}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops it (SIGKILL: as a crash would); what it wrote to its append-only file stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  close(): Promise<void>;
}

/**
 * A `redis-server` of this test's own on a free port, its data in a temp folder. `persist`:
 * every write goes to the append-only file before it is acknowledged (appendfsync always),
 * so a kill and a restart lose nothing, as the fleet's docs ask of a production Redis.
 */
export async function startRedisServer(
  options: { persist?: boolean; extraArgs?: string[] } = {},
): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-test-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    ...(options.extraArgs ?? []),
  ];
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async (): Promise<void> => {
    child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await answers(url))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    url,
    port,
    kill,
    restart: start,
    close: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
