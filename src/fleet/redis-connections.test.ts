import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/redis.ts';
import { closeConnection, commandConnection } from './redis-connections.ts';

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
