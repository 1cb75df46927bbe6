/**
 * The fleet (issue 14): `npm run bench:fleet`.
 *
 * 1. Throughput: a campaign worked by 1, 2 and 3 `call-agent worker` processes on Redis
 *    against `call-agent mock-providers` in a child process over loopback HTTP (every step
 *    answers after LATENCY_MS, CONCURRENCY contacts in flight per worker, no fleet limit):
 *    contacts per second and the ratio to one worker.
 * 2. An ElevenLabs outage of OUTAGE_MS: the requests that reached the dead provider, for a
 *    fleet of three workers sharing their breaker, health checks and trial permit, against
 *    three workers that each count alone (each on a queue of its own: local breakers).
 *
 *   npm run bench:fleet                      # Redis at REDIS_URL, else 127.0.0.1:6379
 *   FLEET_CONTACTS=300 npm run bench:fleet
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { liveWorkers } from '../src/fleet/index.ts';
import { RedisCallQueue } from '../src/queue/redis/redis-call-queue.ts';
import type { FaultsConfig } from '../src/providers/index.ts';
import { startMockTransport, type MockTransport } from './mock-transports.ts';

const CONTACTS = Number(process.env.FLEET_CONTACTS ?? 600);
const CONCURRENCY = 10;
const LATENCY_MS = 20;
const OUTAGE_MS = 8_000;
const OUTAGE_CONTACTS = 90;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI = fileURLToPath(new URL('../test/support/call-agent-from-source.js', import.meta.url));

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
const prefixes: string[] = [];

function configFile(name: string, prefix: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      bulkhead: { max_concurrent: CONCURRENCY },
      queue: { lease: 30 },
      fleet: { key_prefix: prefix, limits: {} },
      ...extra,
    }),
  );
  prefixes.push(prefix);
  return path;
}

/** Starts a worker and resolves once the fleet counts it. */
async function startWorkers(
  count: number,
  configs: string[],
  env: Record<string, string>,
): Promise<ChildProcess[]> {
  const workers = Array.from({ length: count }, (_, i) =>
    spawn(
      process.execPath,
      [
        CLI,
        'worker',
        '--config',
        configs[i % configs.length]!,
        '--data-dir',
        join(dir, `w${i}`),
        '--concurrency',
        String(CONCURRENCY),
      ],
      { env: { ...process.env, ...env, REDIS_URL }, stdio: ['ignore', 'ignore', 'ignore'] },
    ),
  );
  const prefixesOf = [...new Set(configs.map((c) => prefixOfConfig.get(c)!))];
  for (;;) {
    let live = 0;
    for (const prefix of prefixesOf) live += await liveWorkers(redis, `{${prefix}}`);
    if (live >= count) return workers;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const prefixOfConfig = new Map<string, string>();

async function stop(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      await exited;
    }),
  );
}

function contacts(count: number, offset: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `b-${offset + i}`,
    name: `Person ${offset + i}`,
    phone: `+1415${String(3_000_000 + offset + i).padStart(7, '0')}`,
  }));
}

async function drained(queues: RedisCallQueue[], total: number): Promise<void> {
  for (;;) {
    let finished = 0;
    for (const queue of queues) {
      const counts = await queue.counts();
      finished += counts.completed + counts.failed;
    }
    if (finished >= total) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function throughput(workers: number, mock: MockTransport): Promise<number> {
  const prefix = `bench-${process.pid}-t${workers}`;
  const config = configFile(`t${workers}`, prefix);
  prefixOfConfig.set(config, prefix);
  const started = await startWorkers(workers, [config], mock.env);
  try {
    const queue = new RedisCallQueue({ redis, prefix });
    const begin = performance.now();
    await queue.enqueue(contacts(CONTACTS, 0));
    await drained([queue], CONTACTS);
    return CONTACTS / ((performance.now() - begin) / 1000);
  } finally {
    await stop(started);
  }
}

interface DeadRequests {
  speech: number;
  probes: number;
  /** Of them, once every circuit had opened (after the outage's first second). */
  later: number;
  seconds: number;
}

/** Three workers through an ElevenLabs outage: `shared` one fleet, or three queues alone. */
async function outage(shared: boolean): Promise<DeadRequests> {
  const faults: FaultsConfig = {
    openai: { latencyMs: LATENCY_MS },
    elevenlabs: { latencyMs: LATENCY_MS, outages: [{ durationMs: OUTAGE_MS }] },
    twilio: { latencyMs: LATENCY_MS },
    hubspot: { latencyMs: LATENCY_MS },
  };
  const extra = {
    retry: { max_retries: 2, initial_delay: 0.1, backoff_factor: 2, jitter: 'none' },
    circuit_breaker: { failure_threshold: 2, recovery_timeout: 1 },
    health_check: { interval: 0.5, timeout: 1 },
    recovery: { ramp_seconds: 1 },
  };
  const mode = shared ? 'fleet' : 'alone';
  const names = shared
    ? [`bench-${process.pid}-o-${mode}`]
    : [0, 1, 2].map((i) => `bench-${process.pid}-o-${mode}${i}`);
  const configs = names.map((prefix, i) => {
    const config = configFile(`o-${mode}${i}`, prefix, extra);
    prefixOfConfig.set(config, prefix);
    return config;
  });
  const mock = await startMockTransport('http-child', { elevenlabs: { latencyMs: LATENCY_MS } });
  const origin = mock.env.OPENAI_BASE_URL!.replace(/\/openai\/v1$/, '');
  const workers = await startWorkers(3, configs, mock.env);
  try {
    const queues = names.map((prefix) => new RedisCallQueue({ redis, prefix }));
    const share = OUTAGE_CONTACTS / queues.length;
    await fetch(`${origin}/__faults`, { method: 'POST', body: JSON.stringify(faults) });
    const begin = performance.now();
    await Promise.all(queues.map((queue, i) => queue.enqueue(contacts(share, i * share))));
    await drained(queues, OUTAGE_CONTACTS);
    const seconds = (performance.now() - begin) / 1000;
    const answer = await fetch(`${origin}/__requests?provider=elevenlabs`);
    const { requests } = (await answer.json()) as {
      requests: Array<{ method: string; fault: string; at: number }>;
    };
    const dead = requests.filter((r) => r.fault === '503');
    const down = Math.min(...dead.map((r) => r.at));
    return {
      speech: dead.filter((r) => r.method === 'POST').length,
      probes: dead.filter((r) => r.method === 'GET').length,
      later: dead.filter((r) => r.at > down + 1_000).length,
      seconds,
    };
  } finally {
    await stop(workers);
    await mock.close();
  }
}

async function main(): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    console.log(
      `Fleet throughput: ${CONTACTS} contacts, ${LATENCY_MS} ms per step (4 steps), ${CONCURRENCY} in flight per worker, mock providers over loopback HTTP in a child process, Redis at ${REDIS_URL}`,
    );
    console.log(
      `ideal per worker: ${(CONCURRENCY / ((4 * LATENCY_MS) / 1000)).toFixed(0)} contacts/s`,
    );
    const mock = await startMockTransport('http-child', {
      openai: { latencyMs: LATENCY_MS },
      elevenlabs: { latencyMs: LATENCY_MS },
      twilio: { latencyMs: LATENCY_MS },
      hubspot: { latencyMs: LATENCY_MS },
    });
    const rates: number[] = [];
    try {
      for (const workers of [1, 2, 3]) {
        const rate = await throughput(workers, mock);
        rates.push(rate);
        console.log(
          `  ${workers} worker${workers === 1 ? ' ' : 's'}: ${rate.toFixed(0).padStart(5)} contacts/s  ×${(rate / rates[0]!).toFixed(2)}`,
        );
      }
    } finally {
      await mock.close();
    }
    console.log(
      `\nElevenLabs down for ${OUTAGE_MS / 1000} s from the start, ${OUTAGE_CONTACTS} contacts, three workers; requests that reached the dead provider:`,
    );
    const fleet = await outage(true);
    const alone = await outage(false);
    const total = (r: DeadRequests): number => r.speech + r.probes;
    for (const [name, r] of [
      ['one fleet (shared breaker, probes, trial)', fleet],
      ['three workers alone (local breakers)', alone],
    ] as const) {
      console.log(
        `  ${name.padEnd(42)} ${String(total(r)).padStart(4)}  (speech ${r.speech}, health probes ${r.probes}; after the first second ${r.later}; campaign ${r.seconds.toFixed(1)} s)`,
      );
    }
    console.log(
      `  fleet / alone: ${(total(fleet) / total(alone)).toFixed(2)} in all, ${(fleet.later / alone.later).toFixed(2)} after the first second`,
    );
  } finally {
    clearInterval(keepAlive);
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
