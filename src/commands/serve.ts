import { isIP } from 'node:net';
import type { CountryCode } from 'libphonenumber-js/max';
import type { AppConfig } from '../config.ts';
import type { Output } from '../redaction/output.ts';
import { describeError } from '../resilience/index.ts';
import { openServeSession } from './serve-session.ts';
import type { QueueChoice } from './session-queue.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ServeOptions {
  config: AppConfig;
  env: Env;
  /** A SQLite file, or the fleet's queue on Redis (REDIS_URL, `fleet.key_prefix`). */
  store: QueueChoice;
  host: string;
  port: number;
  /** Contacts in flight at once; 0 (Redis only): the workers call, the server serves. */
  concurrency: number;
  logFormat: 'json' | 'pretty';
  mockProviders: boolean;
  defaultRegion?: CountryCode | undefined;
  audioBaseUrl?: string | undefined;
  /** The first SIGINT / SIGTERM: shut down gracefully. */
  signal: AbortSignal;
  output: Output;
}

/** Whether `host` is this machine only: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return isIP(bare) === 6 && (bare === '::1' || /^::ffff:127\./i.test(bare));
}

/**
 * `call-agent serve`: works the queue continuously (contacts posted while it runs are called)
 * behind an HTTP API and a dashboard, until SIGINT / SIGTERM stops it gracefully (exit 0).
 * Without API_TOKEN it listens on loopback only; elsewhere it refuses to start (exit 1). On
 * Redis it is a member of the fleet: the same queue, breakers and histories as the workers.
 */
export async function serve(options: ServeOptions): Promise<number> {
  const { output } = options;
  const token = options.env.API_TOKEN?.trim() || undefined;
  const loopback = isLoopbackHost(options.host);
  if (token === undefined && !loopback) {
    output.err(
      `call-agent serve: not listening on ${options.host} without API_TOKEN: anyone who reaches it could call your contacts; set API_TOKEN, or listen on 127.0.0.1`,
    );
    return 1;
  }
  const session = await openServeSession({
    config: options.config,
    env: options.env,
    store: options.store,
    concurrency: options.concurrency,
    logFormat: options.logFormat,
    output,
    mockProviders: options.mockProviders,
    defaultRegion: options.defaultRegion,
    audioBaseUrl: options.audioBaseUrl,
    token,
    loopbackOnly: token === undefined,
    signal: options.signal,
  });
  try {
    await session.app.listen({ host: options.host, port: options.port });
  } catch (error) {
    output.err(
      `call-agent serve: cannot listen on ${options.host}:${options.port}: ${describeError(error).message}`,
    );
    await session.shutdown();
    return 1;
  }
  const address = session.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = isIP(options.host) === 6 ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  output.err(`call-agent serve: dashboard and API at ${url}/ (queue ${session.location})`);
  if (options.concurrency === 0) {
    output.err('call-agent serve: --concurrency 0: this server calls nobody, the workers do');
  }
  output.err(
    token === undefined
      ? 'call-agent serve: no API_TOKEN: no token asked, and only this machine can connect (loopback)'
      : 'call-agent serve: every route but /livez, /readyz, /health and the page wants the API_TOKEN',
  );
  session.agent.log('INFO', `Serving at ${url}/`, 'serving');

  const stopped = new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  let failure: unknown;
  await Promise.race([
    stopped,
    session.running.catch((error: unknown) => (failure = error ?? 'failed')),
  ]);
  await session.shutdown();
  if (failure !== undefined) {
    output.err(`call-agent serve: stopped: ${describeError(failure).message}`);
    return 1;
  }
  output.err('call-agent serve: stopped');
  return 0;
}
