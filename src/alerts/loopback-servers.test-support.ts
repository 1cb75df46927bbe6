import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../resilience/index.ts';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The clock's time when it arrived. */
  at: number;
}

export interface LoopbackServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves when `count` requests have been answered. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/** An answer: status and JSON body. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * An HTTP server on 127.0.0.1 that records requests and answers from `replies` in order
 * (the last one repeats; default 200 `{ok: true}`).
 */
export async function startLoopbackServer(
  clock: Clock,
  replies: Reply[] = [],
): Promise<LoopbackServer> {
  const requests: ReceivedRequest[] = [];
  let answered = 0;
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: clock.now(),
      });
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)] ?? {
        status: 200,
        body: { ok: true },
      };
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body), () => {
        answered++;
        waiters = waiters.filter((w) => (w.count <= answered ? (w.resolve(), false) : true));
      });
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    received: (count) =>
      new Promise<void>((resolve) => {
        if (answered >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The next retry a policy schedules. */
export function nextRetry(policy: {
  onRetryScheduled: (
    listener: (event: { delayMs: number; timestamp: number }) => void,
  ) => () => void;
}): Promise<{ delayMs: number; timestamp: number }> {
  return new Promise((resolve) => {
    const off = policy.onRetryScheduled((event) => {
      off();
      resolve(event);
    });
  });
}
