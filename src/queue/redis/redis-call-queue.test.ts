import { afterAll } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  testPrefix,
  testRedis,
} from '../../../test/support/redis.ts';
import { describeCallQueueContract } from '../call-queue.contract.ts';
import { RedisCallQueue } from './redis-call-queue.ts';

/** A small store: 48 KiB of contacts, checkpoints and outbox records. */
const SMALL_BYTES = 48 * 1024;

describeWithRedis('RedisCallQueue', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  describeCallQueueContract('Redis', async (clock, options = {}) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return new RedisCallQueue({
      redis,
      prefix,
      clock,
      holder: options.holder,
      maxBytes: options.small ? SMALL_BYTES : undefined,
    });
  });
});
