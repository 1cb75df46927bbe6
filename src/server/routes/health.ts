import type { FastifyInstance } from 'fastify';
import type { CircuitState } from '../../resilience/index.ts';
import type { ServedAgent } from '../served-agent.ts';

type Status = 'pass' | 'warn' | 'fail';

const PUBLIC = { config: { public: true } };

/** A closed circuit passes; a half-open one, or a failing probe, warns; an open one warns too. */
function serviceStatus(state: CircuitState, healthy: boolean | undefined): Status {
  return state === 'CLOSED' && healthy !== false ? 'pass' : 'warn';
}

/**
 * The process's health for people and orchestrators: `/livez` (the process answers; never
 * depends on a provider), `/readyz` (the queue answers and the server is not shutting down;
 * an open breaker is not unready), `/health` (`application/health+json`: pass, warn or fail,
 * with a check per service) and `/metrics` (Prometheus). The first three ask no token.
 */
export function healthRoutes(app: FastifyInstance, agent: ServedAgent): void {
  const queueReachable = async (): Promise<string | undefined> => {
    try {
      await agent.queue.hasUnfinished();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };

  app.get('/livez', PUBLIC, async () => ({ status: 'pass' }));

  app.get('/readyz', PUBLIC, async (_request, reply) => {
    if (agent.lifecycle.draining) {
      return reply.status(503).send({ error: 'not_ready', message: 'shutting down' });
    }
    const problem = await queueReachable();
    if (problem !== undefined) {
      return reply.status(503).send({ error: 'not_ready', message: `queue: ${problem}` });
    }
    return { status: 'ready' };
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
