import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request to /quote. */
export type QuoteAnswer = '503' | '429' | 'hang' | 'quote';

/** One request to /quote, as the server saw it. */
export interface QuoteRequest {
  /** 1 for the first. */
  n: number;
  answer: QuoteAnswer;
  /** The client went away before an answer (a cancelled request). */
  abandoned: boolean;
}

export interface FlakyQuoteServer {
  url: string;
  requests: QuoteRequest[];
  /** Requests to /health (always answered 503: the service is degraded throughout). */
  healthChecks: number;
  close(): Promise<void>;
}

/**
 * A quote service on loopback that answers on a script: the n-th request to /quote gets
 * `script[n - 1]` (503; 429 with `Retry-After: 1`; a hang that lasts until the client gives
 * up; a quote, `quote-n`), every request past the script a quote. /health always answers 503.
 */
export async function startFlakyQuoteServer(script: QuoteAnswer[]): Promise<FlakyQuoteServer> {
  const requests: QuoteRequest[] = [];
  const state = { healthChecks: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      state.healthChecks++;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('degraded');
      return;
    }
    if (req.url !== '/quote') {
      res.writeHead(404).end();
      return;
    }
    const n = requests.length + 1;
    const request: QuoteRequest = { n, answer: script[n - 1] ?? 'quote', abandoned: false };
    requests.push(request);
    res.on('close', () => {
      if (!res.writableFinished) request.abandoned = true;
    });
    switch (request.answer) {
      case '503':
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      case '429':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('slow down');
        return;
      case 'hang':
        return; // no answer: only the client's deadline ends this request
      case 'quote':
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`quote-${n}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get healthChecks() {
      return state.healthChecks;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
