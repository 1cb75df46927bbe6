import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, expect } from 'vitest';
import { MemoryAudioStore } from '../agent/audio-store.ts';
import { openServeSession, type ServeSession } from '../commands/serve-session.ts';
import { parseConfig } from '../config.ts';
import {
  createInProcessClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  type FaultsConfig,
} from '../providers/index.ts';
import { createOutput } from '../redaction/output.ts';
import { VirtualClock, type Clock } from '../resilience/index.ts';

/**
 * The whole of `call-agent serve` in process, for `app.inject()`: the real campaign, queue
 * (a file), breakers, hub and API over the in-process mock providers; no port is opened.
 */

export const TOKEN = 'serve-test-token-8c1f0e';

export interface ServeHarnessOptions {
  /** `API_TOKEN` (default: TOKEN); null for none. */
  token?: string | null;
  faults?: FaultsConfig;
  /** parseConfig input on top of the fast defaults. */
  config?: Record<string, unknown>;
  /** The queue file (default: a fresh one). */
  db?: string;
  /** Serve the fleet's queue on this Redis, under this key prefix, instead of a file. */
  redis?: { url: string; prefix: string; workerId?: string } | undefined;
  /** Default: a new virtual clock. */
  clock?: Clock;
  /** Start paused: nothing is claimed until `resume` (API tests that read the queue). */
  paused?: boolean;
  concurrency?: number;
  /** The mock providers (default: new ones on the clock). */
  mock?: MockProviders;
}

export interface ServeHarness {
  session: ServeSession;
  clock: Clock;
  mock: MockProviders;
  db: string;
  /** Every log line written (JSON). */
  lines: Array<Record<string, unknown>>;
  /** `app.inject` with the token (unless `auth: false`). */
  request(options: InjectOptions & { auth?: boolean }): Promise<LightMyRequestResponse>;
  /** Shuts the session down (graceful). */
  close(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'serve-'));
let files = 0;
/** A fresh queue file. */
export const freshDb = (): string => join(dir, `queue-${++files}.db`);

/** Fast seed settings: a run with outages lasts seconds of (virtual) time. */
export const FAST = {
  retry: { max_retries: 1, initial_delay: 0.05, backoff_factor: 2, jitter: 'none' },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 2 },
  health_check: { interval: 1, timeout: 1 },
  recovery: { ramp_seconds: 0 },
  server: { drain_timeout: 2 },
};

export async function createServeHarness(options: ServeHarnessOptions = {}): Promise<ServeHarness> {
  const clock = options.clock ?? new VirtualClock();
  const mock = options.mock ?? new MockProviders({ clock, faults: options.faults });
  const db = options.db ?? freshDb();
  const lines: Array<Record<string, unknown>> = [];
  const token = options.token === null ? undefined : (options.token ?? TOKEN);
  const { redis } = options;
  const session = await openServeSession({
    config: parseConfig({
      ...FAST,
      ...options.config,
      ...(redis && { fleet: { key_prefix: redis.prefix } }),
    }),
    env: {
      ...mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)),
      ...(redis && { REDIS_URL: redis.url }),
    },
    store: redis ? { queue: 'redis', dataDir: dir } : { queue: 'sqlite', db },
    workerId: redis?.workerId,
    concurrency: options.concurrency ?? 2,
    logFormat: 'json',
    output: createOutput({ stdout: { write: () => true }, stderr: { write: () => true } }),
    destination: {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    },
    mock,
    httpClient: createInProcessClient(mock),
    clock,
    audio: new MemoryAudioStore(),
    token,
    loopbackOnly: token === undefined,
  });
  if (options.paused) session.campaign.pause();
  return {
    session,
    clock,
    mock,
    db,
    lines,
    request: ({ auth = true, ...inject }) =>
      session.app.inject({
        ...inject,
        headers: {
          host: '127.0.0.1:8080',
          ...(auth && token !== undefined && { authorization: `Bearer ${token}` }),
          ...inject.headers,
        },
      }),
    async close() {
      let closed = false;
      const closing = session.shutdown().finally(() => (closed = true));
      // a drain waits on the clock: a virtual one must be driven
      if (clock instanceof VirtualClock) await clock.runUntil(() => closed);
      await closing;
    },
  };
}

/** For a test file: `serve(options)` builds a harness that is shut down after each test. */
export function useServe(): (options?: ServeHarnessOptions) => Promise<ServeHarness> {
  const open: ServeHarness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((harness) => harness.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return async (options) => {
    const harness = await createServeHarness(options);
    open.push(harness);
    return harness;
  };
}

/** An SSE connection to `GET /events` on a real loopback socket (listen first): the events read so far. */
export async function openEventStream(h: ServeHarness, lastEventId?: string) {
  const address = h.session.app.server.address() as AddressInfo;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    httpRequest(
      {
        host: '127.0.0.1',
        port: address.port,
        path: '/events',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(lastEventId !== undefined && { 'last-event-id': lastEventId }),
        },
      },
      resolve,
    )
      .on('error', reject)
      .end();
  });
  let text = '';
  response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const events = () =>
    text
      .split('\n\n')
      .filter((frame) => frame.includes('data: '))
      .map((frame) => ({
        type: /^event: (.*)$/m.exec(frame)?.[1],
        id: /^id: (.*)$/m.exec(frame)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(frame)![1]!) as Record<string, unknown>,
      }));
  const waitFor = async (match: (e: ReturnType<typeof events>) => boolean) => {
    for (let i = 0; i < 200 && !match(events()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(match(events()), text).toBe(true);
  };
  return { response, events, waitFor, close: () => response.destroy() };
}
