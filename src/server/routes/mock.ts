import type { FastifyInstance } from 'fastify';
import {
  parseFaultsConfig,
  whyFaultsChangeNothing,
  type MockProviders,
} from '../../providers/index.ts';
import { badRequest } from '../http-problem.ts';
import type { ServedAgent } from '../served-agent.ts';

/**
 * `/mock/faults` (with `--mock-providers`): the mock providers' faults, read and set with the
 * body `POST /__faults` takes, so the dashboard can break and heal each provider.
 */
export function mockRoutes(
  app: FastifyInstance,
  agent: ServedAgent & { mock: MockProviders },
): void {
  const { mock } = agent;
  app.get('/mock/faults', async () => ({ faults: mock.faults }));
  app.post('/mock/faults', async (request) => {
    let config;
    try {
      config = parseFaultsConfig(request.body);
    } catch (error) {
      throw badRequest(error instanceof Error ? error.message : String(error));
    }
    const noChange = whyFaultsChangeNothing(config);
    if (noChange !== undefined) throw badRequest(noChange);
    try {
      mock.setFaults(config);
    } catch (error) {
      throw badRequest(error instanceof Error ? error.message : String(error));
    }
    agent.log('WARNING', `Mock providers' faults set: ${JSON.stringify(config)}`, 'mock_faults');
    return { faults: mock.faults };
  });
}
