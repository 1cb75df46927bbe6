import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './http-problem.ts';

/** A route anyone may call (`config: { public: true }`): the health endpoints, the page's files. */
export interface RouteAccess {
  public?: boolean;
}

function isPublic(request: FastifyRequest): boolean {
  return (request.routeOptions.config as RouteAccess | undefined)?.public === true;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `header` carries `Bearer <token>`: compared in constant time (both sides hashed to
 * one length first, so not even the token's length shows in the timing).
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = match?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token)) && match !== null;
}

/**
 * With a token (`API_TOKEN`), every route but the public ones wants `Authorization: Bearer
 * <token>`; without one, nothing is asked (the server then listens on loopback only).
 */
export function installAuth(app: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return;
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    const header = request.headers.authorization;
    if (bearerMatches(header, token)) return;
    reply.header('www-authenticate', 'Bearer');
    throw new HttpProblem(
      401,
      'unauthorized',
      header === undefined
        ? 'this route wants the API_TOKEN in an Authorization header'
        : 'the token is not the one API_TOKEN sets',
    );
  });
}
