import { getEventListeners, once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyNetworkError, wasNeverSent } from '../../http-errors/classify-network.ts';
import { header } from '../../resilience/http/headers.ts';
import { nodeHttpClient } from './node-http-client.ts';

interface Seen {
  method: string;
  url: string;
  body: string;
  contentLength: string | undefined;
  remotePort: number | undefined;
}

/** A loopback server whose handler the test picks per request. */
const seen: Seen[] = [];
let handle: (response: ServerResponse) => void = (response) => response.end('{}');
const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      body,
      contentLength: request.headers['content-length'],
      remotePort: request.socket.remotePort,
    });
    handle(response);
  });
});
let origin = '';
const live = () => new AbortController().signal;

/** Waits (on real loopback I/O, a few event-loop turns) until `done` holds; 2 s at most. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 400 && !done(); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(done()).toBe(true);
}

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('nodeHttpClient', () => {
  it('sends method, path, query and body; answers status, headers and the whole body over one kept-alive socket', async () => {
    seen.length = 0;
    handle = (response) => {
      response.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'r1' });
      response.end('{"ok":true}');
    };
    const request = {
      method: 'POST' as const,
      url: `${origin}/v1/chat?x=1`,
      headers: { 'content-type': 'application/json' },
      body: '{"é":1}',
    };
    const first = await nodeHttpClient(request, live());
    await nodeHttpClient(request, live());
    expect(first.status).toBe(201);
    expect(header(first.headers, 'x-request-id')).toBe('r1');
    expect(Buffer.from(first.body).toString()).toBe('{"ok":true}');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/chat?x=1', body: '{"é":1}' });
    expect(seen[0]!.contentLength).toBe(String(Buffer.byteLength('{"é":1}')));
    expect(seen[1]!.remotePort).toBe(seen[0]!.remotePort);
  });

  it('reports the headers before the body has ended', async () => {
    let finish = (): void => undefined;
    handle = (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('part one, ');
      finish = () => response.end('part two');
    };
    let headersIn!: () => void;
    const headersArrived = new Promise<void>((resolve) => (headersIn = resolve));
    let done = false;
    const answer = nodeHttpClient(
      { method: 'GET', url: `${origin}/slow`, headers: {} },
      live(),
      () => headersIn(),
    ).then((result) => {
      done = true;
      return result;
    });
    await headersArrived;
    expect(done).toBe(false);
    finish();
    expect(Buffer.from((await answer).body).toString()).toBe('part one, part two');
  });

  it('rejects with the abort reason and drops the request when the signal aborts', async () => {
    let hung: ServerResponse | undefined;
    handle = (response) => {
      hung = response; // never answers
    };
    const controller = new AbortController();
    const answer = nodeHttpClient(
      { method: 'GET', url: `${origin}/hang`, headers: {} },
      controller.signal,
    );
    const reason = new Error('stop');
    setImmediate(() => controller.abort(reason));
    await expect(answer).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // the request was dropped: the server sees its connection close
    await until(() => hung?.closed === true);
    await expect(
      nodeHttpClient({ method: 'GET', url: `${origin}/x`, headers: {} }, AbortSignal.abort(reason)),
    ).rejects.toBe(reason);
  });

  it('fails like fetch on a reset connection, so the network classifier reads it', async () => {
    handle = (response) => response.socket?.destroy();
    const error = await nodeHttpClient(
      { method: 'GET', url: `${origin}/reset`, headers: {} },
      live(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    const classified = classifyNetworkError('OpenAI', error, []);
    expect(classified).toMatchObject({ errorClass: 'transient', providerCode: 'ECONNRESET' });
    // sent, then reset: the request may have been acted on
    expect(wasNeverSent(classified)).toBe(false);
  });

  it('tells a refused connection apart: the request was never sent', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await nodeHttpClient(
      { method: 'POST', url: `http://127.0.0.1:${port}/calls`, headers: {}, body: '{}' },
      live(),
    ).catch((e: unknown) => e);
    const classified = classifyNetworkError('Twilio', error, []);
    expect(classified.providerCode).toBe('ECONNREFUSED');
    expect(wasNeverSent(classified)).toBe(true);
  });

  it('refuses a protocol it does not speak with a classified failure', async () => {
    const error = await nodeHttpClient(
      { method: 'GET', url: 'ftp://127.0.0.1/file', headers: {} },
      live(),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('fetch failed');
    expect(String((error as Error).cause)).toMatch(/unsupported protocol ftp:/);
  });
});
