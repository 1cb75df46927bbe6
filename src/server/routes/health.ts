import type { FastifyInstance } from 'fastify';
import type { CircuitState } from '../../resilience/index.ts';
import type { ServedAgent } from '../served-agent.ts';

type Status = 'pass' | 'warn' | 'fail';

const PUBLIC = { config: { public: true } };

export const healthDefaults = {
  /** A queue that has not answered in this long is not reachable, for `/readyz` and `/health`. */
  queueAnswerMs: 2_000,
};

/** A closed circuit passes; a half-open one, or a failing probe, warns; an open one warns too. */
function serviceStatus(state: CircuitState, healthy: boolean | undefined): Status {
  return state === 'CLOSED' && healthy !== false ? 'pass' : 'warn';
}

/**
 * The process's health for people and orchestrators: `/livez` (the process answers; never
 * depends on a provider), `/readyz` (the queue answers within 2 s, the server is a member of
 * its fleet if it has one, and it is not shutting down; an open breaker is not unready), `/health` (`application/health+json`: pass, warn or fail,
 * with a check per service) and `/metrics` (Prometheus). The first three ask no token.
 */
export function healthRoutes(app: FastifyInstance, agent: ServedAgent): void {
  /** Why this server is out of its fleet (a server on Redis that lost it), if it is. */
  const outOfFleet = (): string | undefined => {
    const readiness = agent.readiness?.();
    if (readiness === undefined || readiness.ready) return undefined;
    const why = typeof readiness.error === 'string' ? ` (${readiness.error})` : '';
    return `fleet: ${String(readiness.fleet ?? 'not ready')}${why}`;
  };
  const queueReachable = async (): Promise<string | undefined> => {
    const out = outOfFleet();
    if (out !== undefined) return out; // its queue's commands would wait for Redis
    const deadline = new AbortController();
    try {
      return await Promise.race([
        agent.queue.hasUnfinished().then(() => undefined),
        agent.clock
          .sleep(healthDefaults.queueAnswerMs, deadline.signal)
          .then(() => `no answer within ${healthDefaults.queueAnswerMs} ms`),
      ]);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      deadline.abort();
    }
  };

  app.get('/livez', PUBLIC, async () => ({ status: 'pass' }));

  app.get('/readyz', PUBLIC, async (_request, reply) => {
    if (agent.lifecycle.draining) {
      return reply.status(503).send({ error: 'not_ready', message: 'shutting down' });
    }
    // the fleet's part (`fleet`, `workers`), its error told in the message
    const { ready: _ready, error: _error, ...fleet } = agent.readiness?.() ?? { ready: true };
    const out = outOfFleet();
    if (out !== undefined) {
      return reply.status(503).send({ error: 'not_ready', message: out, ...fleet });
    }
    const problem = await queueReachable();
    if (problem !== undefined) {
      return reply.status(503).send({ error: 'not_ready', message: `queue: ${problem}`, ...fleet });
    }
    return { status: 'ready', ...fleet };
  });

  app.get('/health', PUBLIC, async (_request, reply) => {
    const time = new Date(agent.clock.now()).toISOString();
    const problem = await queueReachable();
    const checks: Record<string, Array<Record<string, unknown>>> = {
      'queue:reachable': [
        {
          componentType: 'datastore',
          status: problem === undefined ? 'pass' : 'fail',
          time,
          ...(problem !== undefined && { output: problem }),
        },
      ],
    };
    for (const [name, policy] of agent.campaign.policies) {
      const circuit = policy.circuit();
      const health = agent.campaign.health.statusOf(name);
      checks[`${name}:circuit`] = [
        {
          componentType: 'component',
          status: serviceStatus(circuit.state, health?.healthy),
          observedValue: circuit.state,
          time,
          ...(health?.lastError &&
            health.healthy === false && { output: health.lastError.message }),
        },
      ];
    }
    const statuses = Object.values(checks).flatMap((entries) => entries.map((e) => e.status));
    const status: Status =
      agent.lifecycle.draining || statuses.includes('fail')
        ? 'fail'
        : statuses.includes('warn')
          ? 'warn'
          : 'pass';
    return reply
      .status(status === 'fail' ? 503 : 200)
      .type('application/health+json')
      .send({ status, ...(agent.lifecycle.draining && { output: 'shutting down' }), checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const { registry } = agent.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
