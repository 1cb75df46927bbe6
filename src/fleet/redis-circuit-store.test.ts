import { afterAll, afterEach, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../../test/support/redis.ts';
import { REJECTED } from '../resilience/circuit-breaker.ts';
import { TransientServiceError, VirtualClock } from '../resilience/index.ts';
import { saveCircuitScript } from './circuit-scripts.ts';
import {
  eventually,
  measuredTime,
  workerParts,
  type WorkerParts,
} from './test-support/fleet-parts.ts';

const failure = new TransientServiceError('503', { service: 'ElevenLabs' });

describeWithRedis('breaker state shared through Redis', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  const workers: WorkerParts[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  /** `count` workers of one fleet on one virtual clock. */
  async function fleet(count: number) {
    const name = testPrefix();
    prefixes.push(name);
    const prefix = `{${name}}`;
    const clock = new VirtualClock();
    const time = await measuredTime(redis, clock);
    const made: WorkerParts[] = [];
    for (let i = 0; i < count; i++)
      made.push(await workerParts(TEST_REDIS_URL, prefix, clock, time));
    workers.push(...made);
    return { clock, prefix, workers: made };
  }

  it('an open circuit reaches every worker, and a worker that starts later joins it', async () => {
    const { workers: parts } = await fleet(3);
    const [a, b] = [await parts[0]!.breaker(), await parts[1]!.breaker()];
    a.recordFailure(a.tryAcquire(), failure);
    a.recordFailure(a.tryAcquire(), failure);
    expect(a.state).toBe('OPEN');
    await eventually(() => b.state === 'OPEN', 'b sees the open circuit');
    expect(b.tryAcquire()).toBe(REJECTED);
    // a third worker starting now does not reset it to CLOSED
    const late = await parts[2]!.breaker();
    expect(late.state).toBe('OPEN');
    expect(late.circuit()).toMatchObject({ reason: 'failure_threshold' });
  });

  it('runs one half-open trial for the whole fleet, and its verdict closes every breaker', async () => {
    const { clock, workers: parts } = await fleet(3);
    const breakers = await Promise.all(parts.map((p) => p.breaker()));
    const [a] = breakers as [Awaited<ReturnType<WorkerParts['breaker']>>];
    a.recordFailure(a.tryAcquire(), failure);
    a.recordFailure(a.tryAcquire(), failure);
    await eventually(() => breakers.every((b) => b.state === 'OPEN'), 'all open');
    await clock.advance(10_100);
    // every worker asks for the permit at once; Redis gives it to one
    breakers.forEach((b) => b.tryAcquire());
    await eventually(() => breakers.some((b) => b.trialsWanted > 0), 'one holds the permit');
    const permits = breakers.map((b) => b.tryAcquire());
    expect(permits.filter((p) => p !== REJECTED)).toHaveLength(1);
    const holder = breakers[permits.findIndex((p) => p !== REJECTED)]!;
    expect(holder.state).toBe('HALF_OPEN');
    const reasons: string[][] = breakers.map(() => []);
    breakers.forEach((b, i) =>
      b.onStateChanged((e) => reasons[i]!.push(`${e.from}>${e.to}:${e.reason}`)),
    );
    holder.recordSuccess(permits.find((p) => p !== REJECTED)!);
    await eventually(() => breakers.every((b) => b.state === 'CLOSED'), 'all closed').catch(
      (e: unknown) => {
        throw new Error(
          `${String(e)} ${JSON.stringify({ reasons, states: breakers.map((b) => b.circuit()), holder: breakers.indexOf(holder) })}`,
        );
      },
    );
  });

  it('does not hand a worker the fleet state its refused save found when a newer decision of its own is queued', async () => {
    const { clock, workers: parts } = await fleet(2);
    const [a, b] = parts as [WorkerParts, WorkerParts];
    // what a is handed once it has decided to close (before it, b's news may arrive any time)
    const delivered: string[] = [];
    let decided = false;
    a.store.subscribe('ElevenLabs', (s) => {
      if (decided) delivered.push(`${s.state}:${s.reason}`);
    });
    const snapshot = (state: 'OPEN' | 'HALF_OPEN' | 'CLOSED', reason: string) => ({
      service: 'ElevenLabs',
      state,
      openedAt: state === 'CLOSED' ? undefined : clock.now(),
      consecutiveFailures: 0,
      updatedAt: clock.now(),
      reason: reason as 'recovery_timeout',
    });
    await a.store.save(snapshot('OPEN', 'failure_threshold'));
    await eventually(async () => (await b.store.load('ElevenLabs'))?.state === 'OPEN', 'b knows');
    // b moves the circuit to half-open first; a, not knowing yet, decides the same, then
    // closes it after its trial: both of a's saves are queued before the first is answered
    await b.store.save(snapshot('HALF_OPEN', 'recovery_timeout'));
    const halfOpen = a.store.save(snapshot('HALF_OPEN', 'recovery_timeout'));
    const closed = a.store.save(snapshot('CLOSED', 'probe_succeeded'));
    decided = true;
    await Promise.all([halfOpen, closed]);
    // a's close was saved on top of b's half-open, and a was never sent back to half-open
    expect((await b.store.load('ElevenLabs'))?.state).toBe('CLOSED');
    expect(delivered).not.toContain('HALF_OPEN:recovery_timeout');
  });

  it('frees the trial permit of a worker that dies mid-trial when its TTL runs out', async () => {
    const { clock, prefix, workers: parts } = await fleet(2);
    const [a, b] = [await parts[0]!.breaker(), await parts[1]!.breaker()];
    a.recordFailure(a.tryAcquire(), failure);
    a.recordFailure(a.tryAcquire(), failure);
    await eventually(() => b.state === 'OPEN', 'b open');
    await clock.advance(10_100);
    a.tryAcquire();
    await eventually(() => a.trialsWanted > 0, 'a holds the permit');
    expect(a.tryAcquire()).not.toBe(REJECTED);
    await parts[0]!.close(); // a dies with its trial out: nobody gives the permit back
    await eventually(() => b.state === 'HALF_OPEN', 'b shares the half-open state');
    expect(b.tryAcquire()).toBe(REJECTED);
    await eventually(() => b.nextAttemptAt > clock.now() + 500, 'b knows a holds the permit');
    const key = `${prefix}:trial:ElevenLabs`;
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(20_000);
    await redis.del(key); // what Redis does once the TTL runs out
    await clock.advance(20_100);
    b.tryAcquire();
    await eventually(() => b.trialsWanted > 0, 'b takes the permit over');
    expect(b.tryAcquire()).not.toBe(REJECTED);
  });

  it('gives back a permit no trial came to take, so a worker with a trial to run gets it', async () => {
    const { clock, prefix, workers: parts } = await fleet(2);
    const [a, b] = [await parts[0]!.breaker(), await parts[1]!.breaker()];
    a.recordFailure(a.tryAcquire(), failure);
    a.recordFailure(a.tryAcquire(), failure);
    await eventually(() => b.state === 'OPEN', 'b open');
    await clock.advance(10_100);
    expect(a.trialsWanted).toBe(0); // asks
    await eventually(() => a.trialsWanted > 0, 'a holds the permit');
    expect(b.tryAcquire()).toBe(REJECTED); // b's contact came first: b has no permit
    // b believes a's permit for a second from when Redis's refusal reaches it: that must be
    // now, before the clock moves (on a busy machine it was read after, and b's belief outlasted
    // the clock, which stands still while the test waits in real time)
    await eventually(() => b.nextAttemptAt > clock.now() + 500, 'b knows a holds the permit');
    await clock.advance(500); // a's worker had no trial to run: the permit goes back
    await eventually(async () => (await redis.exists(`${prefix}:trial:ElevenLabs`)) === 0, 'freed');
    await clock.advance(1_000);
    b.tryAcquire();
    await eventually(() => b.trialsWanted > 0, 'b holds it');
    expect(b.tryAcquire()).not.toBe(REJECTED);
  });

  it('a worker that missed the news (pub/sub delivers at most once) reads it at its next look', async () => {
    const { workers: parts } = await fleet(2);
    const [a, b] = [await parts[0]!.breaker(), await parts[1]!.breaker()];
    await parts[1]!.subscriber.unsubscribe();
    a.recordFailure(a.tryAcquire(), failure);
    a.recordFailure(a.tryAcquire(), failure);
    const prefix = parts[0]!.prefix;
    await eventually(
      async () => (await redis.hget(`${prefix}:cb:ElevenLabs`, 'v')) !== null,
      'saved',
    );
    expect(b.state).toBe('CLOSED');
    await parts[1]!.store.refresh(); // what each heartbeat does
    expect(b.state).toBe('OPEN');
  });

  it('refuses a transition decided on a state the fleet has left: the worker adopts the fleet', async () => {
    const { prefix, workers: parts } = await fleet(2);
    const [a, b] = [await parts[0]!.breaker(), await parts[1]!.breaker()];
    await parts[1]!.subscriber.unsubscribe(); // b hears nothing: what it knows goes stale
    a.recordFailure(a.tryAcquire(), failure);
    a.recordFailure(a.tryAcquire(), failure);
    const key = `${prefix}:cb:ElevenLabs`;
    await eventually(() => a.state === 'OPEN', 'a open');
    const opened = await redis.hgetall(key);
    expect(b.state).toBe('CLOSED');
    b.open(); // decided on the closed state the fleet has left
    await eventually(() => b.circuit().reason === 'failure_threshold', 'b adopts the fleet');
    expect(b.circuit()).toMatchObject({ state: 'OPEN', held: false });
    expect(await redis.hgetall(key)).toEqual(opened);

    // the same for any late write from an older generation
    const stale = JSON.stringify({ ...a.snapshot(), state: 'CLOSED', reason: 'health_check' });
    const version = Number(opened.v);
    const reply = (await saveCircuitScript.run(redis, [
      prefix,
      'ElevenLabs',
      version - 1,
      stale,
    ])) as [number, number, string];
    expect(reply.slice(0, 2)).toEqual([0, version]);
    expect(JSON.parse(reply[2])).toMatchObject({ state: 'OPEN' });
  });
});
