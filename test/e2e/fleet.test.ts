import { afterAll, expect, it } from 'vitest';
import { RedisCallQueue } from '../../src/queue/redis/redis-call-queue.ts';
import { runCli, startCli, type CliProcess } from '../support/cli-process.ts';
import {
  deleteKeys,
  describeWithRedis,
  startRedisServer,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
  type PrivateRedis,
} from '../support/redis.ts';
import {
  calledNumbers,
  contactsCsv,
  FAST_CONFIG,
  until,
  useWorkspaceAndMock,
  type RunSummary,
  type Workspace,
} from './harness.ts';

/** Seconds, as the configuration spells them. */
const RECOVERY = 1;
const HEALTH_INTERVAL = 0.5;
const TWILIO_SPACING_MS = 250;
const TTS_CAP = 5;
const MAX_RETRIES = 1;
const WORKERS = 3;
const CONCURRENCY = 4;
/** Contacts in flight at once in the whole fleet. */
const SLOTS = WORKERS * CONCURRENCY;

function fleetConfig(prefix: string) {
  return {
    ...FAST_CONFIG,
    retry: { max_retries: MAX_RETRIES, initial_delay: 0.05, backoff_factor: 2, jitter: 'none' },
    circuit_breaker: { failure_threshold: 2, recovery_timeout: RECOVERY },
    health_check: { interval: HEALTH_INTERVAL, timeout: 1 },
    recovery: { ramp_seconds: 0.5 },
    fleet: {
      key_prefix: prefix,
      limits: {
        elevenlabs: { max_concurrent: TTS_CAP },
        twilio: { rate: { requests: 1, per: TWILIO_SPACING_MS / 1000 } },
      },
    },
  };
}

/** Starts `count` workers and resolves once each has joined the fleet. */
async function startWorkers(
  ws: Workspace,
  count: number,
  env: Record<string, string>,
  extra: string[] = [],
): Promise<CliProcess[]> {
  const workers = Array.from({ length: count }, (_, i) =>
    startCli(
      [
        'worker',
        '--config',
        ws.path('config.json'),
        '--data-dir',
        ws.path(`worker-${i}`),
        '--log-format',
        'json',
        '--concurrency',
        String(CONCURRENCY),
        ...extra,
      ],
      { env },
    ),
  );
  await Promise.all(
    workers.map((w) => w.waitForLine((line) => line.event === 'worker_started', 30_000)),
  );
  return workers;
}

function runArgs(ws: Workspace): string[] {
  return [
    'run',
    ws.path('contacts.csv'),
    '--queue',
    'redis',
    '--config',
    ws.path('config.json'),
    '--summary-json',
    ws.path('summary.json'),
  ];
}

/** The most requests found in any window of `windowMs` among these arrival times. */
function mostInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.max(0, ...sorted.map((t) => sorted.filter((u) => u >= t && u < t + windowMs).length));
}

describeWithRedis('a fleet of three workers on Redis', () => {
  const e2e = useWorkspaceAndMock({ elevenlabs: { latencyMs: 100 } });
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it(
    'shares one breaker through a TTS outage, keeps the fleet under its limits, and loses nobody when a worker is killed',
    { timeout: 90_000 },
    async () => {
      const { ws, mock } = e2e;
      const { csv, phones } = contactsCsv(24);
      await ws.write('contacts.csv', csv);
      await ws.write('config.json', JSON.stringify(fleetConfig(prefix)));
      const env = { ...mock.env, REDIS_URL: TEST_REDIS_URL };
      const workers = await startWorkers(ws, WORKERS, env);

      // ElevenLabs goes down once the first calls are through, for 2.5 s
      const outage = { afterMs: 1_500, durationMs: 2_500 };
      mock.mock.setFaults({ elevenlabs: { latencyMs: 100, outages: [outage] } });
      const outageStart = Date.now() + outage.afterMs;
      const outageEnd = outageStart + outage.durationMs;
      const run = runCli(runArgs(ws), { env, timeoutMs: 80_000 });

      // kill -9 one worker while it holds contacts, once the outage is over
      const queue = new RedisCallQueue({ redis, prefix });
      await until(
        () => Date.now() > outageEnd && mock.mock.twilioCalls.length >= 8,
        40_000,
        'mid-run',
      );
      // the victim: whichever worker holds contacts now (on a busy machine one may be idle)
      let victim: (typeof workers)[number] | undefined;
      for (let tries = 0; victim === undefined && tries < 250; tries++) {
        const leases = await queue.leases();
        victim = workers.find((w) =>
          leases.some((l) => l.holder?.pid === w.child.pid && l.contacts > 0),
        );
        if (victim === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (victim === undefined) throw new Error('no worker held a contact mid-run');
      victim.child.kill('SIGKILL');

      const result = await run;
      expect(result.code, result.stderr).toBe(0);
      const summary = await ws.readJson<RunSummary>('summary.json');
      expect(summary.contacts).toEqual({
        total: 24,
        completed: 24,
        failed: 0,
        deferred: 0,
        pending: 0,
      });
      expect(summary.crm_outbox).toBe(0);

      // a sibling on this host took the dead worker's contacts back at once
      const reclaimed = workers
        .filter((w) => w !== victim)
        .flatMap((w) => w.jsonLines())
        .filter((l) => l.event === 'leases_reclaimed');
      expect(reclaimed.map((l) => l.message)).toContainEqual(
        expect.stringMatching(new RegExp(`held by pid ${victim.child.pid}, which no longer runs$`)),
      );
      // nobody lost, nobody called twice: the dead worker's contacts finished on the others
      expect(calledNumbers(mock).sort()).toEqual([...phones].sort());
      expect(mock.mock.crmRecords).toHaveLength(24);

      // the fleet-wide concurrency cap held, though 12 contacts were in flight at the start
      expect(mock.mock.operationsInFlight().elevenlabs?.most).toBeLessThanOrEqual(TTS_CAP);

      // Twilio's rate held across the workers: in any second at most one call per 250 ms, and
      // one more that a busy machine held on its way (two calls granted 250 ms apart may arrive
      // closer; three workers each on a rate of their own would place 12, unlimited ones 50)
      const created = mock.mock.twilioCalls.map((call) => call.createdAt);
      const first = Math.min(...created);
      expect(
        mostInAnyWindow(created, 1_000),
        `calls at ${created.map((at) => at - first).join(', ')} ms`,
      ).toBeLessThanOrEqual(1_000 / TWILIO_SPACING_MS + 1);

      // the outage: once one worker opened the circuit the whole fleet stopped calling, and
      // sent one trial per recovery window, not one per worker
      const lines = workers.flatMap((w) => w.jsonLines());
      const openings = lines
        .filter((l) => l.service === 'ElevenLabs' && l.event === 'circuit_state_changed')
        .filter((l) => l.circuit_state === 'OPEN')
        .map((l) => Date.parse(String(l.timestamp)));
      expect(openings.length).toBeGreaterThan(0);
      const openedAt = Math.min(...openings);
      const speech = mock.mock
        .requests('elevenlabs')
        .filter((r) => r.method === 'POST' && r.path.startsWith('/v1/text-to-speech'));
      const failed = speech.filter((r) => r.fault === '503');
      const beforeOpening = failed.filter((r) => r.at <= openedAt);
      // once every worker has heard of it (each logs the fleet's OPEN as it adopts it; on a
      // busy machine that can take longer than a fixed allowance)
      const heardAt = workers.map((w) =>
        Math.min(
          ...w
            .jsonLines()
            .filter((l) => l.service === 'ElevenLabs' && l.event === 'circuit_state_changed')
            .filter((l) => l.circuit_state === 'OPEN')
            .map((l) => Date.parse(String(l.timestamp))),
        ),
      );
      const allHeardAt = Math.max(openedAt + 100, ...heardAt.filter(Number.isFinite));
      const afterOpening = failed.filter((r) => r.at > allHeardAt);
      // before the opening: the calls in flight (one per slot of the fleet) and their retries;
      // the wave is the same for lone workers (see bench:fleet): sharing pays after it
      expect(beforeOpening.length).toBeLessThanOrEqual(SLOTS * (1 + MAX_RETRIES));
      const windows = Math.ceil((outageEnd - openedAt) / (RECOVERY * 1000));
      // on failure: when each failed request came, and what each worker did, from the opening
      const story = JSON.stringify({
        failedAfter: afterOpening.map((r) => r.at - openedAt),
        allHeardAt: allHeardAt - openedAt,
        outageEnd: outageEnd - openedAt,
        workers: workers.map((w) =>
          w
            .jsonLines()
            .filter((l) => l.service === 'ElevenLabs' || String(l.event).startsWith('fleet_'))
            .map((l) => [Date.parse(String(l.timestamp)) - openedAt, l.event, l.message]),
        ),
      });
      expect(afterOpening.length, story).toBeLessThanOrEqual(windows + 1);
      // one health checker for the fleet: one probe per interval, not three
      const probes = mock.mock
        .requests('elevenlabs')
        .filter((r) => r.method === 'GET' && r.at >= outageStart && r.at < outageEnd);
      expect(probes.length).toBeLessThanOrEqual(outage.durationMs / (HEALTH_INTERVAL * 1000) + 2);
      await Promise.all(workers.slice(1).map((w) => (w.child.kill('SIGTERM'), w.exited)));
    },
  );
});

describeWithRedis(
  'a fleet whose Redis restarts mid-run',
  () => {
    const e2e = useWorkspaceAndMock();
    let server: PrivateRedis | undefined;
    afterAll(async () => server?.close());

    it(
      'recovers: the workers go on, rejoin, and the campaign completes',
      { timeout: 60_000 },
      async () => {
        const { ws, mock } = e2e;
        server = await startRedisServer({ persist: true });
        const { csv, phones } = contactsCsv(12);
        await ws.write('contacts.csv', csv);
        const config = fleetConfig('restart');
        config.fleet.limits.twilio.rate.per = 0.2;
        await ws.write('config.json', JSON.stringify(config));
        const env = { ...mock.env, REDIS_URL: server.url };
        const workers = await startWorkers(ws, 2, env);
        const run = runCli(runArgs(ws), { env, timeoutMs: 50_000 });
        await until(() => mock.mock.twilioCalls.length >= 4, 30_000, 'four calls');
        await server.kill();
        await Promise.all(
          workers.map((w) => w.waitForLine((line) => line.event === 'fleet_degraded', 10_000)),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        await server.restart();
        await Promise.all(
          workers.map((w) => w.waitForLine((line) => line.event === 'fleet_rejoined', 15_000)),
        );

        const result = await run;
        expect(result.code, result.stderr).toBe(0);
        const summary = await ws.readJson<RunSummary>('summary.json');
        expect(summary.contacts).toMatchObject({ total: 12, completed: 12, failed: 0 });
        expect(calledNumbers(mock).sort()).toEqual([...phones].sort());
        await Promise.all(workers.map((w) => (w.child.kill('SIGTERM'), w.exited)));
      },
    );
  },
  'server',
);
