import type { MockProviders } from './mock-providers.ts';
import { parseJson } from '../http/json.ts';
import { parseFaultsConfig, whyFaultsChangeNothing } from './faults.ts';
import { mockProviderIds, type MockProviderId, type MockReply } from './mock-types.ts';
import { jsonReply } from './replies.ts';

/**
 * The mock's admin API, for tests and demos:
 * - `POST /__faults` with a FaultsConfig JSON: replaces the named providers' faults;
 * - `GET /__faults`: the faults in force;
 * - `GET /__requests[?provider=twilio]`: the requests received (auth headers redacted);
 * - `GET /__calls`: the calls Twilio created: how many, to how many numbers, and the most
 *   to one number (1 when nobody was called twice);
 * - `GET /__concurrency`: per provider, the operations being answered now and the most at once;
 * - `POST /__reset`: clears faults, requests and state (calls, CRM records).
 */
export function handleAdmin(
  mock: MockProviders,
  method: string,
  url: URL,
  body: string,
): MockReply {
  const route = `${method.toUpperCase()} ${url.pathname}`;
  switch (route) {
    case 'GET /__faults':
      return jsonReply(200, { faults: mock.faults });
    case 'POST /__faults':
      try {
        const config = parseFaultsConfig(parseJson(body));
        const noChange = whyFaultsChangeNothing(config);
        if (noChange !== undefined) return jsonReply(400, { error: noChange });
        mock.setFaults(config);
        return jsonReply(200, { faults: mock.faults });
      } catch (error) {
        return jsonReply(400, { error: error instanceof Error ? error.message : String(error) });
      }
    case 'GET /__requests': {
      const provider = url.searchParams.get('provider') ?? undefined;
      if (provider !== undefined && !(mockProviderIds as readonly string[]).includes(provider)) {
        return jsonReply(400, { error: `unknown provider '${provider}'` });
      }
      return jsonReply(200, { requests: mock.requests(provider as MockProviderId | undefined) });
    }
    case 'GET /__calls': {
      const perNumber = new Map<string, number>();
      for (const call of mock.twilioCalls)
        perNumber.set(call.to, (perNumber.get(call.to) ?? 0) + 1);
      return jsonReply(200, {
        total: mock.twilioCalls.length,
        numbers: perNumber.size,
        maxPerNumber: Math.max(0, ...perNumber.values()),
      });
    }
    case 'GET /__concurrency':
      return jsonReply(200, { operations: mock.operationsInFlight() });
    case 'POST /__reset':
      mock.reset();
      return jsonReply(200, { ok: true });
    default:
      return jsonReply(404, { error: `no admin route ${route}` });
  }
}
