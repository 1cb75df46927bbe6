import { afterAll, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  startRedisServer,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
  type PrivateRedis,
} from '../../test/support/redis.ts';
import {
  eventually,
  measuredTime,
  workerParts,
  type WorkerParts,
} from '../fleet/test-support/fleet-parts.ts';
import { RedisCallQueue } from '../queue/redis/redis-call-queue.ts';
import { systemClock, TransientServiceError, type VirtualClock } from '../resilience/index.ts';
import { openEventStream, useServe, type ServeHarness } from './serve-harness.test-support.ts';

/**
 * `call-agent serve --queue redis` in process: the API over the fleet's queue, its breakers
 * the fleet's. The other members of the fleet are parts of a worker (a breaker on the fleet's
 * store) and a queue of their own on the same Redis and prefix.
 */

const failure = new TransientServiceError('503', { service: 'ElevenLabs' });

const posted = [
  { id: 'c1', name: 'Ada', phone: '+14155550301' },
  { id: 'c2', name: 'Bo', phone: '+14155550302' },
];

async function serviceOf(h: ServeHarness, name: string) {
  const answer = (await h.request({ method: 'GET', url: '/services' })).json();
  return answer.services.find((s: { name: string }) => s.name === name);
}
const circuitOf = async (h: ServeHarness, name: string) => (await serviceOf(h, name)).circuit;
const healthOf = async (h: ServeHarness, name: string) => (await serviceOf(h, name)).health;

describeWithRedis('call-agent serve on the fleet', () => {
  const serve = useServe();
  const redis = testRedis();
  const prefixes: string[] = [];
  const parts: WorkerParts[] = [];
  afterAll(async () => {
    await Promise.all(parts.map((p) => p.close()));
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const onFleet = async (options: { concurrency?: number } = {}) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const h = await serve({
      redis: { url: TEST_REDIS_URL, prefix, workerId: 'server-1' },
      concurrency: options.concurrency ?? 0,
    });
    return { h, prefix };
  };
  /** Another member of the fleet: a breaker per service on the fleet's store. */
  const worker = async (prefix: string) => {
    const time = await measuredTime(redis, systemClock);
    const member = await workerParts(TEST_REDIS_URL, `{${prefix}}`, systemClock, time);
    parts.push(member);
    return member;
  };

  it('says which services another member of the fleet probes', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    // another member holds ElevenLabs' health lock (value: its owner and fencing epoch)
    await redis.set(`{${prefix}}:health:ElevenLabs`, 'worker-b:x#1', 'PX', 60_000);
    const h = await serve({ redis: { url: TEST_REDIS_URL, prefix }, concurrency: 0 });
    await eventually(async () => (await healthOf(h, 'OpenAI')).probed_here, 'probes OpenAI');
    expect(await healthOf(h, 'OpenAI')).toMatchObject({
      probed_here: true,
      next_probe_at: expect.any(String),
    });
    expect(await healthOf(h, 'ElevenLabs')).toMatchObject({
      probed_here: false,
      healthy: null,
      next_probe_at: null,
    });
  });

  it("shows the fleet's breakers, and opening or resetting one by hand changes it for every worker", async () => {
    const { h, prefix } = await onFleet();
    await h.session.app.listen({ host: '127.0.0.1', port: 0 });
    const feed = await openEventStream(h);
    const other = await worker(prefix);
    const tts = await other.breaker('ElevenLabs');
    const telephony = await other.breaker('Twilio');

    // a worker finds ElevenLabs down: the server's card says so, and its feed tells it
    tts.recordFailure(tts.tryAcquire(), failure);
    tts.recordFailure(tts.tryAcquire(), failure);
    expect(tts.state).toBe('OPEN');
    await eventually(async () => (await circuitOf(h, 'ElevenLabs')).state === 'OPEN', 'shared');
    expect(await circuitOf(h, 'ElevenLabs')).toMatchObject({
      state: 'OPEN',
      error: { type: 'transient', message: '503' },
    });
    await feed.waitFor((events) =>
      events.some(
        (e) =>
          e.data.event === 'circuit_state_changed' &&
          e.data.service === 'ElevenLabs' &&
          e.data.circuit_state === 'OPEN',
      ),
    );

    // the operator resets it on the server: the worker's breaker closes too
    expect(
      (await h.request({ method: 'POST', url: '/services/ElevenLabs/reset' })).statusCode,
    ).toBe(200);
    await eventually(() => tts.state === 'CLOSED', 'the worker adopts the reset');
    // and holds Twilio open: every worker refuses it, and no probe will close it
    await h.request({ method: 'POST', url: '/services/Twilio/open' });
    await eventually(() => telephony.state === 'OPEN', 'the worker adopts the held circuit');
    expect(telephony.snapshot()).toMatchObject({ state: 'OPEN', held: true });
    feed.close();
  });

  it("serves the fleet's queue: contacts posted, paged, shown with the history any worker wrote, removed", async () => {
    const { h, prefix } = await onFleet();
    await h.session.app.listen({ host: '127.0.0.1', port: 0 });
    const feed = await openEventStream(h);
    const answer = await h.request({ method: 'POST', url: '/calls', payload: posted });
    expect(answer.json()).toEqual({ queued: 2, duplicates: 0, rejected: [] });

    // a worker elsewhere calls c1 and records what happened
    const queue = new RedisCallQueue({ redis, prefix });
    const claimed = await queue.claim('worker-b', 60_000);
    expect(claimed?.contact.id).toBe('c1');
    await queue.complete('c1', claimed!.leaseToken);
    const record = {
      timestamp: '2025-01-01T00:00:00.000Z',
      level: 'INFO',
      service: 'Agent',
      message: 'Contact c1 completed (+14155550301)',
      event: 'contact_completed',
    };
    await queue.contactHistory({ origin: 'worker-b' }).append([{ contactId: 'c1', at: 1, record }]);

    const page = (await h.request({ method: 'GET', url: '/calls?limit=1' })).json();
    expect(page.contacts).toMatchObject([{ id: 'c2', state: 'pending' }]);
    const rest = (
      await h.request({ method: 'GET', url: `/calls?cursor=${page.next_cursor}` })
    ).json();
    expect(rest).toMatchObject({ contacts: [{ id: 'c1', state: 'completed' }], next_cursor: null });
    const detail = (await h.request({ method: 'GET', url: '/calls/c1' })).json();
    expect(detail.history).toEqual([
      { ...record, message: 'Contact c1 completed (+1415***0301)', worker: 'worker-b' },
    ]);
    // its events reach the server's feed too, saying which worker wrote them
    await feed.waitFor((events) => events.some((e) => e.data.worker === 'worker-b'));
    const heard = feed.events().find((e) => e.data.worker === 'worker-b')!;
    expect(heard).toMatchObject({
      type: 'log',
      data: { contact_id: 'c1', event: 'contact_completed' },
    });
    expect(JSON.stringify(feed.events())).not.toContain('4155550301');

    expect((await h.request({ method: 'POST', url: '/calls/c1/requeue' })).statusCode).toBe(409);
    expect((await h.request({ method: 'DELETE', url: '/calls/c1' })).json()).toEqual({
      removed: 'c1',
    });
    expect((await h.request({ method: 'GET', url: '/calls/c1' })).statusCode).toBe(404);
    expect(await queue.contactHistory().list('c1')).toEqual([]);
    feed.close();
  });

  it('with --concurrency 0 takes no contact itself: they wait for the workers', async () => {
    const { h, prefix } = await onFleet({ concurrency: 0 });
    await h.request({ method: 'POST', url: '/calls', payload: posted });
    await (h.clock as VirtualClock).advance(10_000);
    const campaign = (await h.request({ method: 'GET', url: '/campaign' })).json();
    expect(campaign).toMatchObject({ in_flight: 0, contacts: { pending: 2, in_progress: 0 } });
    const queue = new RedisCallQueue({ redis, prefix });
    expect((await queue.claim('worker-b', 60_000))?.contact.id).toBe('c1');
  });
});

describeWithRedis(
  'call-agent serve on a fleet whose Redis goes away',
  () => {
    const serve = useServe();
    let server: PrivateRedis | undefined;
    afterAll(async () => server?.close());

    it('answers 503 on /readyz while Redis is unreachable, and 200 once it is back', async () => {
      server = await startRedisServer();
      // real time: a queue that does not answer is given 2 s of the server's clock
      const h = await serve({
        redis: { url: server.url, prefix: 'fleet' },
        concurrency: 0,
        clock: systemClock,
      });
      const readyz = async () => {
        const answer = await h.request({ method: 'GET', url: '/readyz' });
        return { status: answer.statusCode, body: answer.json() };
      };
      expect(await readyz()).toEqual({
        status: 200,
        body: { status: 'ready', fleet: 'connected', workers: 1 },
      });

      await server.kill();
      await eventually(async () => (await readyz()).status === 503, 'not ready', 5_000);
      expect((await readyz()).body).toMatchObject({
        error: 'not_ready',
        message: expect.stringMatching(/^fleet: redis_unreachable \(.+\)$/),
        fleet: 'redis_unreachable',
      });
      const health = await h.request({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json().checks['queue:reachable'][0]).toMatchObject({ status: 'fail' });
      // what asks the queue answers at once rather than wait for Redis; the rest answers
      const calls = await h.request({ method: 'GET', url: '/calls' });
      expect({ status: calls.statusCode, body: calls.json() }).toMatchObject({
        status: 503,
        body: { error: 'queue_unreachable' },
      });
      expect((await h.request({ method: 'GET', url: '/services' })).statusCode).toBe(200);
      expect((await h.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);

      await server.restart();
      await eventually(async () => (await readyz()).status === 200, 'ready again', 10_000);

      // stopped while Redis is away, the outbox's look at the queue waiting for it: the server
      // does not wait for Redis to come back
      await server.kill();
      await eventually(async () => (await readyz()).status === 503, 'not ready', 5_000);
      h.session.campaign.wake();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await h.close();
    });
  },
  'server',
);
