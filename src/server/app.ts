import Fastify, { type FastifyInstance } from 'fastify';
import { installAuth } from './auth.ts';
import { installErrorHandler } from './error-handler.ts';
import { installRedaction } from './redacted-replies.ts';
import { callsRoutes } from './routes/calls.ts';
import { campaignRoutes } from './routes/campaign.ts';
import { eventsRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { mockRoutes } from './routes/mock.ts';
import { servicesRoutes } from './routes/services.ts';
import { installSameOrigin } from './same-origin.ts';
import { installSecurityHeaders } from './security-headers.ts';
import type { ServedAgent } from './served-agent.ts';
import { staticRoutes } from './static-files.ts';
import { HttpProblem } from './http-problem.ts';

export interface AppOptions {
  agent: ServedAgent;
  /** The bearer token every route but the public ones wants (`API_TOKEN`); none: no auth. */
  token?: string | undefined;
  /** Answer loopback host names only (the server asks no token). */
  loopbackOnly: boolean;
  /** The largest request body, in bytes. */
  bodyLimitBytes?: number;
}

export const appDefaults = { bodyLimitBytes: 5 * 1024 * 1024 };

/** While shutting down, these still answer; everything else is 503. */
const DURING_SHUTDOWN = new Set(['/livez', '/readyz', '/health', '/metrics']);

/** Routes that ask the queue: 503 at once while the fleet's Redis is away (they would wait). */
const ASKS_THE_QUEUE = /^\/(calls|campaign)(\/|$)/;

/**
 * The HTTP API and dashboard of `call-agent serve`, as a Fastify instance (not listening:
 * tests use `inject`). Every answer is JSON `{ error, message }` on failure, redacted, with
 * security headers.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const { agent } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? appDefaults.bodyLimitBytes,
    // contacts whose CSV rows say `__proto__` must not reach a prototype
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
  });
  // JSON or CSV only; CSV bodies as bytes: the import refuses one that is not UTF-8
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  installErrorHandler(app, (error) =>
    agent.log(
      'ERROR',
      `API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      'api_error',
    ),
  );
  installSecurityHeaders(app);
  installRedaction(app, agent.redact);
  installSameOrigin(app, { loopbackOnly: options.loopbackOnly });
  installAuth(app, options.token);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (agent.lifecycle.draining && !DURING_SHUTDOWN.has(path)) {
      throw new HttpProblem(503, 'shutting_down', 'the server is shutting down');
    }
    if (ASKS_THE_QUEUE.test(path) && agent.readiness?.().ready === false) {
      throw new HttpProblem(
        503,
        'queue_unreachable',
        "the fleet's Redis is unreachable: the queue answers again once it is back",
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    agent.serverMetrics.answered(request.method, reply.statusCode);
  });
  healthRoutes(app, agent);
  callsRoutes(app, agent);
  servicesRoutes(app, agent);
  campaignRoutes(app, agent);
  eventsRoutes(app, agent);
  if (agent.mock) mockRoutes(app, { ...agent, mock: agent.mock });
  staticRoutes(app);
  return app;
}
