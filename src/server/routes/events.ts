import type { FastifyInstance } from 'fastify';
import { SECURITY_HEADERS } from '../security-headers.ts';
import type { ServedAgent } from '../served-agent.ts';

/**
 * `GET /events`: Server-Sent Events of the engine and the agent (their log records, redacted).
 * A client that reconnects with `Last-Event-ID` gets what it missed (see EventHub).
 */
export function eventsRoutes(app: FastifyInstance, agent: ServedAgent): void {
  app.get('/events', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const lastEventId = request.headers['last-event-id'];
    agent.hub.attach(reply.raw, Array.isArray(lastEventId) ? lastEventId[0] : lastEventId);
  });
}
