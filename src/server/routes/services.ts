import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServicePolicy } from '../../resilience/index.ts';
import { notFound } from '../http-problem.ts';
import type { ServedAgent } from '../served-agent.ts';
import { serviceView } from '../service-view.ts';
import { parsed } from '../validate.ts';

const nameParams = z.object({ name: z.string().min(1) });

/** `/services`: each service's circuit, health and counters; open or reset a breaker by hand. */
export function servicesRoutes(app: FastifyInstance, agent: ServedAgent): void {
  const { campaign, monitor } = agent;
  const view = (name: string, policy: ServicePolicy) =>
    serviceView(
      name,
      policy,
      monitor,
      campaign.stats.snapshot()[name],
      campaign.health.statusOf(name),
    );

  app.get('/services', async () => ({
    now: new Date(agent.clock.now()).toISOString(),
    services: [...campaign.policies].map(([name, policy]) => view(name, policy)),
  }));

  app.get('/services/timeline', async () => {
    const { stepMs, services } = monitor.timeline();
    return {
      step_ms: stepMs,
      services: Object.fromEntries(
        Object.entries(services).map(([name, samples]) => [
          name,
          samples.map((s) => ({ ...s, at: new Date(s.at).toISOString() })),
        ]),
      ),
    };
  });

  const policyOf = (params: unknown): [string, ServicePolicy] => {
    const { name } = parsed(nameParams, params, 'path');
    const policy = campaign.policies.get(name);
    if (!policy) {
      throw notFound(`no service ${name} (there are ${[...campaign.policies.keys()].join(', ')})`);
    }
    return [name, policy];
  };

  app.post('/services/:name/open', async (request) => {
    const [name, policy] = policyOf(request.params);
    policy.open();
    agent.log(
      'WARNING',
      `${name} circuit held open by hand (POST /services/${name}/open)`,
      'circuit_held',
    );
    return view(name, policy);
  });

  app.post('/services/:name/reset', async (request) => {
    const [name, policy] = policyOf(request.params);
    policy.reset();
    agent.log(
      'INFO',
      `${name} circuit reset by hand (POST /services/${name}/reset)`,
      'circuit_reset',
    );
    return view(name, policy);
  });
}
