import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import {
  describeWithRedis,
  startRedisServer,
  type PrivateRedis,
} from '../../../test/support/redis.ts';
import { contact, expectStorageError, mustClaim } from '../contract/harness.ts';
import { RedisCallQueue } from './redis-call-queue.ts';

/**
 * `replicasBeforeCall`: the "call started" mark is on the replicas before the checkpoint
 * resolves (and so before the call is placed), or the checkpoint fails as a storage error.
 */
describeWithRedis(
  'RedisCallQueue with replicasBeforeCall',
  () => {
    const servers: PrivateRedis[] = [];
    const connections: Redis[] = [];
    afterEach(async () => {
      connections.splice(0).forEach((c) => c.disconnect());
      await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    async function primaryWithReplica() {
      // the replica's first full sync starts at once, not after Redis's 5 s default
      const primary = await startRedisServer({ extraArgs: ['--repl-diskless-sync-delay', '0'] });
      const replica = await startRedisServer();
      servers.push(primary, replica);
      const redis = new Redis(primary.url, { maxRetriesPerRequest: 1 });
      const replicaRedis = new Redis(replica.url, { maxRetriesPerRequest: 1 });
      connections.push(redis, replicaRedis);
      await replicaRedis.replicaof('127.0.0.1', primary.port);
      for (let i = 0; i < 200; i++) {
        const info = await replicaRedis.info('replication');
        if (info.includes('master_link_status:up')) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return { redis, replica, replicaRedis };
    }

    it('resolves the call-started checkpoint once a replica has it', async () => {
      const { redis, replicaRedis } = await primaryWithReplica();
      const clock = new VirtualClock();
      const queue = new RedisCallQueue({ redis, prefix: 'r', clock, replicasBeforeCall: 1 });
      await queue.enqueue([contact(1)]);
      const held = await mustClaim(queue);
      await queue.checkpoint(held.contact.id, held.leaseToken, { callStartedAt: clock.now() });
      // read from the replica at once: WAIT returned only after it had the write
      const onReplica = await replicaRedis.hget('{r}:cp:c1', 'callStartedAt');
      expect(onReplica).toBe(String(clock.now()));
    });

    it('fails the call-started checkpoint as a storage error when no replica confirms it', async () => {
      const { redis, replica } = await primaryWithReplica();
      await replica.kill();
      const clock = new VirtualClock();
      const queue = new RedisCallQueue({
        redis,
        prefix: 'r',
        clock,
        replicasBeforeCall: 1,
        replicaTimeoutMs: 100,
      });
      await queue.enqueue([contact(1)]);
      const held = await mustClaim(queue);
      // other steps do not wait for replicas
      await queue.checkpoint(held.contact.id, held.leaseToken, { script: 'Hello' });
      const error = await expectStorageError(
        queue.checkpoint(held.contact.id, held.leaseToken, { callStartedAt: clock.now() }),
      );
      expect(error).toMatchObject({ storageCode: 'REDIS_REPLICAS_BEHIND' });
      expect(error.message).toContain(
        'the "call started" mark reached 0 of 1 replica within 100 ms',
      );
      expect(error.message).toContain('the call was not placed');
    });
  },
  'server',
);
