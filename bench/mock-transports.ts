/**
 * How the campaign benchmark reaches the mock providers, and a bare-fetch baseline that shows
 * what Node's own HTTP client allows on this machine.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  createInProcessClient,
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

const CLI = fileURLToPath(new URL('../bin/call-agent.js', import.meta.url));

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

/**
 * The same load with no agent at all: `contacts` × `steps` sequential global-fetch POSTs,
 * `concurrency` at a time, to a bare node:http server in this process that answers after
 * `latencyMs`. Contacts per second: the ceiling Node's fetch and HTTP server leave here.
 */
export async function fetchBaseline(options: {
  contacts: number;
  concurrency: number;
  steps: number;
  latencyMs: number;
}): Promise<number> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      }, options.latencyMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    let next = 0;
    const started = performance.now();
    const slot = async (): Promise<void> => {
      while (next++ < options.contacts) {
        for (let step = 0; step < options.steps; step++) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"step":1}',
            signal: new AbortController().signal,
          });
          await response.arrayBuffer();
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, slot));
    return (options.contacts / (performance.now() - started)) * 1000;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
