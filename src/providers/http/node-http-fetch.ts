import http from 'node:http';
import https from 'node:https';
import type { FetchLike } from './fetch-with-deadline.ts';

/** Reused connections, as many as the policies let through (their bulkheads cap them). */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
};

function headerRecord(init: RequestInit): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (out[name] = value));
  return out;
}

/** Fails the way undici's fetch does, so the classifier reads the same `cause.code`. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

/**
 * The `fetch` the adapters use by default: `node:http(s)` with keep-alive agents. It costs a
 * third of the CPU of Node 20's global fetch per request (measured by `npm run bench`), which
 * is what bounds a campaign's throughput on a small machine. Reads the whole body; honours
 * the signal; follows no redirects (the provider APIs send none).
 */
export const nodeHttpFetch: FetchLike = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(input);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const transport = url.protocol === 'https:' ? https : http;
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return reject(fetchFailed(new Error(`unsupported protocol ${url.protocol}`)));
    const body = typeof init.body === 'string' ? init.body : undefined;
    const headers = headerRecord(init);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent });
    const onAbort = (): void => {
      request.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    request.on('error', (error) => {
      done();
      reject(fetchFailed(error));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        done();
        reject(fetchFailed(error));
      });
      response.on('end', () => {
        done();
        const replyHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) replyHeaders.append(name, v);
        }
        const status = response.statusCode ?? 502;
        const empty = status === 204 || status === 304 || chunks.length === 0;
        resolve(
          new Response(empty ? null : Buffer.concat(chunks), {
            status,
            statusText: response.statusMessage ?? '',
            headers: replyHeaders,
          }),
        );
      });
    });
    request.end(body);
  });
