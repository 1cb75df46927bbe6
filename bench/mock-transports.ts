/**
 * How the campaign benchmark reaches the mock providers, and a bare-HTTP baseline that shows
 * what Node's HTTP clients allow on this machine.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  createInProcessClient,
  fetchClient,
  nodeHttpClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  runMockProviders,
  type FaultsConfig,
  type HttpClient,
} from '../src/providers/index.ts';
import { systemClock } from '../src/resilience/index.ts';

/**
 * - `http`: runMockProviders in this process, over real HTTP on loopback (as `call-agent run
 *   --mock-providers` does); the mock's server work shares the agent's event loop.
 * - `http-child`: `call-agent mock-providers` in a child process, over loopback; the mock's
 *   work runs on another core, as a real provider's would.
 * - `in-process`: createInProcessClient, no sockets: the framework without HTTP.
 */
export type Transport = 'http' | 'http-child' | 'in-process';

export interface MockTransport {
  /** The provider variables (base URLs and the mock's placeholder credentials). */
  env: Record<string, string>;
  httpClient?: HttpClient | undefined;
  close(): Promise<void>;
}

/** The CLI from src/ (through tsx), as the tests run it: never a stale dist/. */
const CLI = fileURLToPath(new URL('../test/support/call-agent-from-source.js', import.meta.url));

/** Starts `call-agent mock-providers --port 0` and sets its faults over the admin API. */
async function childMock(faults: FaultsConfig): Promise<MockTransport> {
  const child = spawn(process.execPath, [CLI, 'mock-providers', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('HUBSPOT_ACCESS_TOKEN=')) resolve();
    });
    void exited.then(() => reject(new Error(`mock-providers exited: ${out}`)));
  });
  const env = Object.fromEntries(
    [...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const origin = /mock providers at (\S+)/.exec(out)?.[1];
  const set = await fetch(`${origin}/__faults`, { method: 'POST', body: JSON.stringify(faults) });
  if (!set.ok) throw new Error(`setting faults failed: ${await set.text()}`);
  return {
    env,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The mock providers with `faults`, reached through `transport`. */
export async function startMockTransport(
  transport: Transport,
  faults: FaultsConfig,
): Promise<MockTransport> {
  switch (transport) {
    case 'http': {
      const running = await runMockProviders({ clock: systemClock, faults });
      return { env: mockProviderEnv(running.baseUrls), close: running.close };
    }
    case 'http-child':
      return childMock(faults);
    case 'in-process': {
      const mock = new MockProviders({ clock: systemClock, faults });
      return {
        env: mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)),
        httpClient: createInProcessClient(mock),
        close: async () => undefined,
      };
    }
  }
}

/** A bare node:http server that answers every request after `latencyMs`, in a child process. */
const BARE_SERVER = `
import { createServer } from 'node:http';
const latencyMs = Number(process.argv[1]);
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => setTimeout(() => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  }, latencyMs));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export type BaselineClient = 'node:http' | 'fetch';

/**
 * The same load with no agent at all: `contacts` × `steps` sequential POSTs, `concurrency`
 * at a time, from `client` (the adapters' nodeHttpClient, or Node's global fetch) to a bare
 * node:http server in a child process that answers after `latencyMs`. Contacts per second:
 * the ceiling this machine leaves for any agent that speaks HTTP at this load.
 */
export async function httpBaseline(options: {
  client: BaselineClient;
  contacts: number;
  concurrency: number;
  steps: number;
  latencyMs: number;
}): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', BARE_SERVER, String(options.latencyMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  try {
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const url = `http://127.0.0.1:${chunk.toString().trim()}/`;
    const send = options.client === 'fetch' ? fetchClient(fetch) : nodeHttpClient;
    const request = {
      method: 'POST' as const,
      url,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: '{"step":1}',
    };
    let next = 0;
    const started = performance.now();
    const slot = async (): Promise<void> => {
      while (next++ < options.contacts) {
        for (let step = 0; step < options.steps; step++) {
          await send(request, new AbortController().signal);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, slot));
    return (options.contacts / (performance.now() - started)) * 1000;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
