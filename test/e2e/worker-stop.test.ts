import { afterEach, expect, it } from 'vitest';
import { RedisCallQueue } from '../../src/queue/redis/redis-call-queue.ts';
import { finished, startCli, type CliProcess } from '../support/cli-process.ts';
import { describeWithRedis, startRedisServer, type PrivateRedis } from '../support/redis.ts';
import { Redis } from 'ioredis';
import { FAST_CONFIG, until, useWorkspaceAndMock, type Workspace } from './harness.ts';

/** A worker told to stop (SIGTERM: a deploy, a scale-down), with Redis up and with it down. */
describeWithRedis(
  'call-agent worker on SIGTERM',
  () => {
    // HubSpot answers after 1.5 s: a SIGTERM finds the contacts at their last step
    const e2e = useWorkspaceAndMock({ hubspot: { latencyMs: 1_500 } });
    let server: PrivateRedis | undefined;
    let redis: Redis | undefined;
    afterEach(async () => {
      redis?.disconnect();
      await server?.close();
    });

    async function startWorker(ws: Workspace, url: string): Promise<CliProcess> {
      await ws.write('config.json', JSON.stringify({ ...FAST_CONFIG, fleet: { key_prefix: 'w' } }));
      const worker = startCli(
        [
          'worker',
          '--config',
          ws.path('config.json'),
          '--data-dir',
          ws.path('data'),
          '--log-format',
          'json',
        ],
        { env: { ...e2e.mock.env, REDIS_URL: url } },
      );
      await worker.waitForLine((line) => line.event === 'worker_started', 20_000);
      return worker;
    }

    /** The calls recorded in the CRM so far, not the health checker's probes (GETs). */
    const crmPosts = (): number =>
      e2e.mock.mock.requests('hubspot').filter((request) => request.method === 'POST').length;

    /** Resolves once both contacts are at the CRM step (the mock is shared by the tests). */
    async function atTheCrm(before: number): Promise<void> {
      await until(() => crmPosts() >= before + 2, 15_000, 'at the CRM');
    }

    async function enqueueTwo(url: string): Promise<RedisCallQueue> {
      redis = new Redis(url, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined); // its server is killed in a test
      const queue = new RedisCallQueue({ redis, prefix: 'w' });
      await queue.enqueue([
        { id: 'a', name: 'A', phone: '+14155550101' },
        { id: 'b', name: 'B', phone: '+14155550102' },
      ]);
      return queue;
    }

    it('lets the calls in flight finish, then exits 0', { timeout: 40_000 }, async () => {
      server = await startRedisServer();
      const worker = await startWorker(e2e.ws, server.url);
      const before = crmPosts();
      const queue = await enqueueTwo(server.url);
      await atTheCrm(before);
      worker.child.kill('SIGTERM');
      const result = await finished(worker, 20_000);
      expect(result.code, result.stderr).toBe(0);
      const said = result.lines.map((line) => String(line.message));
      expect(said).toContain(
        'Shutting down: no new contact is taken; 2 contacts in flight get 30 s to finish',
      );
      // finished, not sent back half done
      expect(await queue.counts()).toMatchObject({ completed: 2, deferred: 0 });
    });

    it(
      'ends within seconds when Redis is gone, its contacts left to their leases',
      {
        timeout: 40_000,
      },
      async () => {
        server = await startRedisServer();
        const worker = await startWorker(e2e.ws, server.url);
        const before = crmPosts();
        await enqueueTwo(server.url);
        await atTheCrm(before);
        await server.kill();
        await worker.waitForLine((line) => line.event === 'fleet_degraded', 10_000);
        worker.child.kill('SIGTERM');
        const result = await finished(worker, 20_000);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(
          'the queue did not answer within 3 s of the stop: the contacts in flight stay leased',
        );
      },
    );
  },
  'server',
);
