/**
 * `call-agent serve` under a steady load for 10 minutes (issue 13): the real CLI in a child
 * process, the mock providers in another (20 ms answers, 5 % transient failures, and a 30 s
 * ElevenLabs outage every 3 minutes), and this process as its clients: contacts posted every
 * second, two dashboards' polling, one SSE client that reads everything and one that never
 * reads (it must be dropped, not slow the agent). Every 10 s the server's own /metrics tell
 * its event-loop lag (p99 over the last 10 s) and memory. Ends with SIGTERM: a graceful stop.
 *
 *   npm run bench:serve                          # 10 minutes
 *   npm run bench:serve -- --duration 60 --rate 20
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMockTransport } from './mock-transports.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    rate: { type: 'string', default: '10' },
    dashboards: { type: 'string', default: '2' },
  },
});
const DURATION_S = Number(flags.duration);
const RATE = Number(flags.rate);
const DASHBOARDS = Number(flags.dashboards);
if (!(DURATION_S >= 20) || !(RATE > 0)) {
  throw new Error('--duration: seconds, at least 20; --rate: contacts posted per second, > 0');
}
if (!(Number.isInteger(DASHBOARDS) && DASHBOARDS >= 0)) {
  throw new Error('--dashboards: how many open dashboards poll the server, a whole number');
}
const OUTAGE_EVERY_MS = 180_000;
const OUTAGE_MS = 30_000;
const SAMPLE_MS = 10_000;
const TOKEN = 'bench-serve-token';
const CLI = fileURLToPath(new URL('../test/support/call-agent-from-source.js', import.meta.url));

const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;

interface Sample {
  at: number;
  /** prom-client's event-loop delay over the last 10 s (it includes its 10 ms sampling interval). */
  lagP50Ms: number;
  lagP99Ms: number;
  rssMb: number;
  heapMb: number;
  completed: number;
  /** Event streams the server has dropped for falling behind, so far. */
  sseDropped: number;
}

/** A metric's value in Prometheus text (the first line of that name). */
function metric(text: string, name: string): number {
  const line = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return line ? Number(line[1]) : NaN;
}

function sumOf(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

/** The least-squares slope of RSS over time, in MB per minute. */
function slope(samples: readonly Sample[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const mx = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const my = samples.reduce((sum, s) => sum + s.rssMb, 0) / n;
  const sxy = samples.reduce((sum, s) => sum + (s.at - mx) * (s.rssMb - my), 0);
  const sxx = samples.reduce((sum, s) => sum + (s.at - mx) ** 2, 0);
  return Math.round((sxy / sxx) * 60 * 100) / 100;
}

async function bench(): Promise<void> {
  const faulty = (errorFault: string) => ({ latencyMs: 20, errorRate: 0.05, errorFault });
  const mock = await startMockTransport('http-child', {
    seed: 13,
    openai: faulty('rate-limit:1'),
    elevenlabs: faulty('reset'),
    twilio: faulty('503'),
    hubspot: faulty('503'),
  });
  const mockOrigin = mock.env.OPENAI_BASE_URL!.replace(/\/openai\/v1$/, '');
  const dir = mkdtempSync(join(tmpdir(), 'bench-serve-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ retry: { initial_delay: 1 }, bulkhead: { max_concurrent: 20 } }),
  );
  const server = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--port',
      '0',
      '--db',
      join(dir, 'queue.db'),
      '--config',
      join(dir, 'config.json'),
    ].concat(['--concurrency', '20', '--log-format', 'json']),
    { env: { ...process.env, ...mock.env, API_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(server, 'exit') as Promise<[number | null, string | null]>;
  let logLines = 0;
  server.stdout.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 10) logLines++;
  });
  let stderr = '';
  server.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const base = await new Promise<string>((resolve, reject) => {
    const look = setInterval(() => {
      const found = /dashboard and API at (http:\/\/\S+)\//.exec(stderr);
      if (found) {
        clearInterval(look);
        resolve(found[1]!);
      }
    }, 50);
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
  console.log(`serve at ${base}; ${DURATION_S} s, ${RATE} contacts/s, ${DASHBOARDS} dashboards`);

  const statuses = new Map<string, number>();
  const call = async (path: string, init: RequestInit = {}): Promise<Response | undefined> => {
    try {
      const response = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, ...init.headers },
      });
      await response.arrayBuffer().catch(() => undefined);
      const key = `${Math.floor(response.status / 100)}xx`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      return response;
    } catch {
      statuses.set('error', (statuses.get('error') ?? 0) + 1);
      return undefined;
    }
  };
  const json = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return (await response.json()) as T;
  };

  // one SSE reader that keeps up, one that never reads
  const sse = (read: boolean) =>
    new Promise<{ events: () => number; close: () => void }>((resolve) => {
      const url = new URL('/events', base);
      let events = 0;
      const req = request(url, { headers: { authorization: `Bearer ${TOKEN}` } }, (response) => {
        if (read) {
          response.setEncoding('utf8').on('data', (chunk: string) => {
            events += chunk.match(/^id: /gm)?.length ?? 0;
          });
        } else {
          response.pause();
        }
        resolve({ events: () => events, close: () => req.destroy() });
      });
      req.on('error', () => undefined); // cut by the server: the figures say so
      req.end();
    });
  const reader = await sse(true);
  const stalled = await sse(false);

  const started = Date.now();
  const samples: Sample[] = [];
  let posted = 0;
  let outages = 0;
  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setInterval(() => {
      const batch = Array.from({ length: Math.round(RATE) }, () => {
        const n = posted++;
        return {
          id: `b${n}`,
          name: `Person ${n}`,
          phone: `+1415${String(2_000_000 + n).padStart(7, '0')}`,
        };
      });
      void call('/calls', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
    }, 1_000),
    // what each open dashboard asks
    ...Array.from({ length: DASHBOARDS }, () => [
      setInterval(() => {
        void call('/services');
        void call('/campaign');
      }, 1_000),
      setInterval(() => {
        void call('/calls?limit=20');
        void call('/services/timeline');
      }, 2_000),
    ]).flat(),
    setInterval(() => void call('/health'), 5_000),
    setInterval(() => {
      outages++;
      void fetch(`${mockOrigin}/__faults`, {
        method: 'POST',
        body: JSON.stringify({
          elevenlabs: { ...faulty('reset'), outages: [{ durationMs: OUTAGE_MS, fault: '503' }] },
        }),
      });
    }, OUTAGE_EVERY_MS),
    setInterval(() => {
      void (async () => {
        const text = await (
          await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).text();
        const campaign = await json<{ contacts: Record<string, number> }>('/campaign');
        const sample: Sample = {
          at: Math.round((Date.now() - started) / 1000),
          lagP50Ms:
            Math.round(metric(text, 'call_agent_nodejs_eventloop_lag_p50_seconds') * 1e4) / 10,
          lagP99Ms:
            Math.round(metric(text, 'call_agent_nodejs_eventloop_lag_p99_seconds') * 1e4) / 10,
          rssMb: mb(metric(text, 'call_agent_process_resident_memory_bytes')),
          heapMb: mb(metric(text, 'call_agent_nodejs_heap_size_used_bytes')),
          completed: campaign.contacts.completed ?? 0,
          sseDropped: metric(text, 'call_agent_sse_dropped_total'),
        };
        samples.push(sample);
        console.log(
          `  ${sample.at} s: ${sample.completed} completed, lag p50 ${sample.lagP50Ms} / p99 ${sample.lagP99Ms} ms, ` +
            `RSS ${sample.rssMb} MB, heap ${sample.heapMb} MB, streams dropped ${sample.sseDropped}`,
        );
      })();
    }, SAMPLE_MS),
  );

  await new Promise((resolve) => setTimeout(resolve, DURATION_S * 1000));
  for (const timer of timers) clearInterval(timer);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the last posts land

  const metricsText = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const final = await json<{ contacts: Record<string, number>; crm_outbox: number }>('/campaign');
  const calls = (await (await fetch(`${mockOrigin}/__calls`)).json()) as {
    total: number;
    maxPerNumber: number;
  };
  const sseEvents = reader.events();
  reader.close();
  stalled.close();

  const stopAt = Date.now();
  server.kill('SIGTERM');
  const [code] = await exited;
  const shutdownMs = Date.now() - stopAt;
  await mock.close();
  rmSync(dir, { recursive: true, force: true });

  // memory: the first samples after a minute's warm-up (a tenth of a short run) against the last
  const warm = samples.filter((s) => s.at >= Math.min(60, DURATION_S / 10));
  const head = warm.slice(0, 3);
  const tail = warm.slice(-3);
  const avg = (list: Sample[], key: 'rssMb' | 'heapMb') =>
    Math.round((list.reduce((sum, s) => sum + s[key], 0) / Math.max(1, list.length)) * 10) / 10;
  const lags = samples.map((s) => s.lagP99Ms).sort((a, b) => a - b);
  const p50s = samples.map((s) => s.lagP50Ms).sort((a, b) => a - b);
  const figures = {
    seconds: DURATION_S,
    requestsServed: sumOf(metricsText, 'call_agent_http_requests_total'),
    requestsByStatus: Object.fromEntries(statuses),
    contactsPosted: posted,
    completed: final.contacts.completed,
    failed: final.contacts.failed,
    leftInQueue:
      (final.contacts.pending ?? 0) +
      (final.contacts.deferred ?? 0) +
      (final.contacts.in_progress ?? 0),
    crmOutbox: final.crm_outbox,
    ttsOutages: outages,
    sseEventsRead: sseEvents,
    // the client that never reads: dropped once the kernel's socket buffers and 1 MiB are full
    sseClientsDroppedByServer: metric(metricsText, 'call_agent_sse_dropped_total'),
    sseDroppedAt: samples.find((s) => s.sseDropped > 0)?.at ?? null,
    logLines,
    // per 10 s window, as prom-client measures it (a 10 ms timer: an idle loop reads p50 10.1 ms)
    eventLoopDelayMs: {
      p50Median: p50s[Math.floor(p50s.length / 2)] ?? NaN,
      p99Median: lags[Math.floor(lags.length / 2)] ?? NaN,
      p99Worst: lags.at(-1) ?? NaN,
    },
    memoryStart: { rssMb: avg(head, 'rssMb'), heapMb: avg(head, 'heapMb'), at: head[0]?.at },
    memoryEnd: { rssMb: avg(tail, 'rssMb'), heapMb: avg(tail, 'heapMb'), at: tail.at(-1)?.at },
    rssSlopeMbPerMinuteLastHalf: slope(samples.filter((s) => s.at >= DURATION_S / 2)),
    callsCreated: calls.total,
    maxCallsPerNumber: calls.maxPerNumber,
    shutdown: { exitCode: code, ms: shutdownMs },
  };
  console.log(`bench:serve ${JSON.stringify(figures)}`);
  if (calls.maxPerNumber > 1) throw new Error('a number was called twice');
  if (code !== 0) throw new Error(`serve exited ${code}: ${stderr.slice(-2000)}`);
}

await bench();
