import { afterAll, expect, it } from 'vitest';
import {
  describeWithRedis,
  startRedisServer,
  type PrivateRedis,
} from '../../test/support/redis.ts';
import { Redis } from 'ioredis';
import { REJECTED } from '../resilience/circuit-breaker.ts';
import { SystemClock, TransientServiceError, VirtualClock } from '../resilience/index.ts';
import { FleetLimits } from './fleet-limits.ts';
import {
  eventually,
  measuredTime,
  workerParts,
  type WorkerParts,
} from './test-support/fleet-parts.ts';

const failure = new TransientServiceError('503', { service: 'ElevenLabs' });

describeWithRedis(
  'a fleet whose Redis goes away',
  () => {
    let server: PrivateRedis | undefined;
    const opened: WorkerParts[] = [];
    afterAll(async () => {
      await Promise.all(opened.map((w) => w.close()));
      await server?.close();
    });

    it('goes on with local breakers and its share of the limits, then rejoins and shares again', async () => {
      server = await startRedisServer();
      const clock = new VirtualClock();
      const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
      const time = await measuredTime(admin, clock);
      admin.disconnect();
      const prefix = '{fleet}';
      const [a, b] = [
        await workerParts(server.url, prefix, clock, time),
        await workerParts(server.url, prefix, clock, time),
      ];
      opened.push(a, b);
      await a.link.beat();
      expect(a.link.status).toMatchObject({ connected: true, workers: 2 });
      const [ba, bb] = [await a.breaker(), await b.breaker()];

      await server.kill();
      await eventually(() => !a.link.connected && !b.link.connected, 'both see Redis gone');
      // each breaker decides alone: a opens, b does not hear of it
      ba.recordFailure(ba.tryAcquire(), failure);
      ba.recordFailure(ba.tryAcquire(), failure);
      expect(ba.state).toBe('OPEN');
      expect(bb.state).toBe('CLOSED');
      // and runs its own trial when its recovery time comes: no permit to ask for
      await clock.advance(10_100);
      const trial = ba.tryAcquire();
      expect(trial).not.toBe(REJECTED);
      ba.recordFailure(trial, failure);
      expect(ba.state).toBe('OPEN');
      // limits: half of the fleet's cap each (two workers were counted)
      const limits = new FleetLimits({
        redis: a.redis,
        prefix,
        clock: new SystemClock(),
        link: a.link,
        name: 'ElevenLabs',
        limits: { maxConcurrent: 4 },
        permitTtlMs: 10_000,
      });
      const held = [await limits.enter(undefined), await limits.enter(undefined)];
      let third = false;
      const waiting = limits.enter(undefined).then((leave) => {
        third = true;
        return leave;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(third).toBe(false);
      held[0]!();
      (await waiting)();
      held[1]!();

      // Redis is back (empty: it kept nothing): a's open circuit becomes the fleet's again
      await server.restart();
      await eventually(() => a.link.connected && b.link.connected, 'both rejoin', 5_000);
      await eventually(() => bb.state === 'OPEN', 'b adopts what a decided alone', 5_000);
    });
  },
  'server',
);
