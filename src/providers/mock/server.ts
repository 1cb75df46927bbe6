import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockProviders } from './mock-providers.ts';

export interface MockServerOptions {
  /** Default 0: any free port. */
  port?: number | undefined;
  /** Default 127.0.0.1 (loopback only). */
  host?: string | undefined;
}

export interface MockServer {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
}

async function serve(
  mock: MockProviders,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const left = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) left.abort(new Error('client went away'));
  });
  const outcome = await mock.handle(
    {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: flatHeaders(request),
      body: await readBody(request),
    },
    left.signal,
  );
  if (outcome.kind === 'reset') {
    request.socket.destroy();
    return;
  }
  const { status, headers, body } = outcome.reply;
  response.writeHead(status, headers);
  response.end(body);
}

/** Serves the mock providers over HTTP (node:http), on loopback by default. */
export async function startMockServer(
  mock: MockProviders,
  options: MockServerOptions = {},
): Promise<MockServer> {
  const server = createServer((request, response) => {
    serve(mock, request, response).catch(() => {
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"error":"mock failure"}');
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    origin: `http://${hostPart}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
