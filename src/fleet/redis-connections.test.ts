import { describe, expect, it } from 'vitest';
import { describeWithRedis, freePort, TEST_REDIS_URL } from '../../test/support/redis.ts';
import {
  closeConnection,
  commandConnection,
  queueConnection,
  waitForRedis,
} from './redis-connections.ts';

const timeouts = (): number =>
  process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('closeConnection', () => {
  // ioredis's disconnect arms a 2 s timer that only the socket's 'close' clears: on a socket
  // already closed (Redis refused it) the timer runs out, holding the process 2 s past its end
  // (`status` on a wrong REDIS_URL, a worker stopped while Redis is down)
  it('leaves no timer behind on a connection Redis refused', async () => {
    const redis = commandConnection({ url: `redis://127.0.0.1:${await freePort()}` });
    await new Promise((resolve) => redis.once('end', resolve)); // it gave up reconnecting
    const before = timeouts();
    closeConnection(redis);
    // a 0 ms timer armed now runs after any 0 ms timer armed by the close (same list, in order)
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(timeouts()).toBe(before);
  });
});

describeWithRedis('waitForRedis', () => {
  // ioredis tells a refused SELECT only as an 'error' event, then works in database 0
  it('fails on a database the Redis does not have', async () => {
    const redis = queueConnection({ url: `${TEST_REDIS_URL}/99999` });
    try {
      await expect(waitForRedis(redis, 'here', () => undefined)).rejects.toThrow(
        'Redis at here has no database 99999',
      );
    } finally {
      closeConnection(redis);
    }
  });

  it('selects the database the URL names', async () => {
    const redis = queueConnection({ url: `${TEST_REDIS_URL}/3` });
    try {
      await waitForRedis(redis, 'here', () => undefined);
      expect(await redis.client('INFO')).toMatch(/ db=3 /);
    } finally {
      closeConnection(redis);
    }
  });
});
