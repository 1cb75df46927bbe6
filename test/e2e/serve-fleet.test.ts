import { hostname } from 'node:os';
import { afterAll, expect, it } from 'vitest';
import { redisLocation } from '../../src/fleet/index.ts';
import { startCli, type CliProcess } from '../support/cli-process.ts';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../support/redis.ts';
import { calledNumbers, contactsCsv, FAST_CONFIG, until, useWorkspaceAndMock } from './harness.ts';

const TOKEN = 'e2e-serve-fleet-token-3e71a0';

/** The server's base URL, once it has said where it listens and who may ask (its last line). */
async function listening(cli: CliProcess): Promise<string> {
  const at = /dashboard and API at (http:\/\/\S+)\//;
  const ready = () => at.test(cli.stderr()) && cli.stderr().includes('wants the API_TOKEN');
  await until(ready, 20_000, `the server (stderr: ${cli.stderr()})`);
  return at.exec(cli.stderr())![1]!;
}

/** Reads `GET /events` as it comes, until `close`. */
function follow(base: string) {
  const stop = new AbortController();
  let text = '';
  const done = fetch(`${base}/events`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: stop.signal,
  })
    .then(async (response) => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
      }
    })
    .catch(() => undefined);
  const records = () =>
    [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  return { records, close: () => (stop.abort(), done) };
}

/**
 * A fleet with a server: a `call-agent worker` calls, `call-agent serve --queue redis
 * --concurrency 0` takes the contacts in through its API and shows what the worker did.
 */
describeWithRedis('call-agent serve --queue redis beside a worker', () => {
  const e2e = useWorkspaceAndMock();
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it(
    'posts contacts through the API, the worker calls them, the server shows them with their history',
    { timeout: 60_000 },
    async () => {
      const { ws, mock } = e2e;
      await ws.write(
        'config.json',
        JSON.stringify({ ...FAST_CONFIG, fleet: { key_prefix: prefix } }),
      );
      const env = { ...mock.env, REDIS_URL: TEST_REDIS_URL, API_TOKEN: TOKEN };
      const common = ['--config', ws.path('config.json'), '--log-format', 'json'];
      const worker = startCli(
        ['worker', ...common, '--data-dir', ws.path('worker'), '--concurrency', '2'],
        { env },
      );
      await worker.waitForLine((line) => line.event === 'worker_started', 30_000);
      const server = startCli(
        ['serve', ...common, '--queue', 'redis', '--port', '0', '--concurrency', '0'],
        { env, cwd: ws.dir },
      );
      const base = await listening(server);
      expect(server.stderr()).toContain(`(queue ${redisLocation(TEST_REDIS_URL)} {${prefix}})`);
      expect(server.stderr()).toContain('--concurrency 0: this server calls nobody');
      const call = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${base}${path}`, {
          ...init,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            ...init.headers,
          },
        });
        return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      expect(await call('/readyz')).toEqual({
        status: 200,
        body: { status: 'ready', fleet: 'connected', workers: 2 },
      });
      const feed = follow(base);

      const { phones } = contactsCsv(3);
      const contacts = phones.map((phone, i) => ({ id: `c${i + 1}`, name: `P ${i + 1}`, phone }));
      const posted = await call('/calls', { method: 'POST', body: JSON.stringify(contacts) });
      expect(posted.body).toEqual({ queued: 3, duplicates: 0, rejected: [] });

      let progress: { contacts: Record<string, number> } | undefined;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        progress = (await call('/campaign')).body;
        if (progress?.contacts.completed === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(progress).toMatchObject({ in_flight: 0, contacts: { completed: 3, pending: 0 } });
      expect(calledNumbers(mock).sort()).toEqual([...phones].sort());

      // the server's pages and each contact's history, written by the worker
      const page = (await call('/calls')).body;
      expect(page.contacts.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([
        ['c3', 'completed'],
        ['c2', 'completed'],
        ['c1', 'completed'],
      ]);
      // the worker writes its events in batches (every 250 ms): the last reaches Redis soon after
      let detail = (await call('/calls/c1')).body;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        if (detail.history.some((e: { event: string }) => e.event === 'contact_completed')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
        detail = (await call('/calls/c1')).body;
      }
      const events = detail.history.map((e: { event: string }) => e.event);
      expect(events).toContain('contact_completed');
      expect(events).toContain('call_succeeded');
      // each event names the worker that wrote it: the worker's process
      const workerId = `${hostname()}:${worker.child.pid}`;
      expect(detail.history.map((e: { worker: string }) => e.worker)).toEqual(
        events.map(() => workerId),
      );
      expect(JSON.stringify(detail)).not.toContain(phones[0]!.slice(1));
      // and the feed carried the worker's events as they happened, masked
      await until(
        () => feed.records().filter((r) => r.event === 'contact_completed').length === 3,
        10_000,
        "the worker's events in the feed",
      );
      const completed = feed.records().find((r) => r.event === 'contact_completed')!;
      expect(completed.worker).toBe(workerId);
      expect(JSON.stringify(feed.records())).not.toMatch(/4155550(101|102|103)/);
      await feed.close();

      server.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(await worker.exited).toBe(0);
    },
  );
});
