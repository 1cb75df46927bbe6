import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './http-problem.ts';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The host name of a `Host` header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
}

/** Whether the request comes from a page of another origin (an opaque one, `null`, included). */
function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false; // not sent by a browser page
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true; // `null` (a sandboxed page, a file) or garbage
  }
}

/**
 * Requests from another web page are refused: a change (any method but GET and HEAD) whose
 * `Origin` is not this server's (a page elsewhere posting a form, CSRF); and, while the server
 * asks no token (`loopbackOnly`), any request whose `Host` is not a loopback name (a page
 * elsewhere whose name was rebound to 127.0.0.1, DNS rebinding).
 */
export function installSameOrigin(app: FastifyInstance, options: { loopbackOnly: boolean }): void {
  app.addHook('onRequest', async (request) => {
    if (options.loopbackOnly && !LOOPBACK_NAMES.has(hostName(request.headers.host ?? ''))) {
      throw new HttpProblem(
        403,
        'forbidden',
        'without API_TOKEN this server answers loopback names only',
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && crossOrigin(request)) {
      throw new HttpProblem(403, 'forbidden', 'a change from another origin is refused');
    }
  });
}
