import http from 'node:http';
import https from 'node:https';
import type { HttpClient, HttpResult } from './http-client.ts';

/** Reused connections, as many as the policies let through (their bulkheads cap them). */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
};

/** Fails the way undici's fetch does, so the classifier reads the same `cause.code`. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

/**
 * The adapters' default HTTP client: `node:http(s)` with keep-alive agents, answering with
 * node's own header record and one Buffer. No WHATWG Request/Response/Headers/streams: they
 * cost more CPU than the exchange itself, which is what bounds a campaign's throughput on a
 * small machine (`npm run bench`). Honours the signal; follows no redirects (the provider
 * APIs send none).
 */
export const nodeHttpClient: HttpClient = (request, signal, onHeaders) =>
  new Promise<HttpResult>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const url = new URL(request.url);
    const transport = url.protocol === 'https:' ? https : http;
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return reject(fetchFailed(new Error(`unsupported protocol ${url.protocol}`)));
    const headers = { ...request.headers };
    if (request.body !== undefined) {
      headers['content-length'] = String(Buffer.byteLength(request.body));
    }
    const outgoing = transport.request(url, { method: request.method, headers, agent });
    const onAbort = (): void => {
      outgoing.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    outgoing.on('error', (error) => {
      done();
      reject(fetchFailed(error));
    });
    outgoing.on('response', (response) => {
      onHeaders?.();
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        done();
        reject(fetchFailed(error));
      });
      response.on('end', () => {
        done();
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 502, headers: response.headers, body });
      });
    });
    outgoing.end(request.body);
  });
