import { runMockProviders } from '../mock/cli-mock-providers.ts';
import type { MockProviders } from '../mock/mock-providers.ts';
import type { FaultInput } from '../mock/faults.ts';
import type { MockProviderId } from '../mock/mock-types.ts';
import type { ContractFault, ContractHarness } from './contract-harness.ts';
import type { TelephonyHarness } from './telephony-contract.ts';

/** How each mock provider produces each contract fault. */
const FAULTS: Record<MockProviderId, Partial<Record<ContractFault, FaultInput>>> = {
  openai: {
    transient: '503',
    'rate-limited': 'rate_limit_exceeded',
    'permanent-service': 'invalid_api_key',
    'permanent-request': 'context_length_exceeded',
    'connection-reset': 'reset',
    garbage: 'garbage',
    empty: 'empty',
  },
  elevenlabs: {
    transient: '503',
    'rate-limited': 'rate-limit:1',
    'permanent-service': 'quota_exceeded',
    'permanent-request': 'voice_not_found',
    'connection-reset': 'reset',
    garbage: 'garbage',
    empty: 'empty',
  },
  twilio: {
    transient: '503',
    'rate-limited': '20429',
    'permanent-service': '20003',
    'permanent-request': '21211',
    'connection-reset': 'reset',
    garbage: 'garbage',
    'accepted-then-lost': 'accept-then-reset',
  },
  hubspot: {
    transient: '503',
    'rate-limited': 'TEN_SECONDLY_ROLLING',
    'permanent-service': '401',
    'permanent-request': 'VALIDATION_ERROR',
    'connection-reset': 'reset',
    garbage: 'garbage',
  },
};

const PROBE_FAULTS: Record<
  MockProviderId,
  Record<'transient' | 'permanent-service', FaultInput>
> = {
  openai: { transient: '503', 'permanent-service': 'invalid_api_key' },
  elevenlabs: { transient: '503', 'permanent-service': 'invalid_api_key' },
  twilio: { transient: '503', 'permanent-service': '20003' },
  hubspot: { transient: '503', 'permanent-service': '401' },
};

/**
 * A contract harness for one of our adapters against the mock providers served over real
 * HTTP on loopback (port 0). `make` builds the adapter from the provider's base URL.
 */
export async function mockHarness<A>(
  provider: MockProviderId,
  secrets: readonly string[],
  make: (baseUrl: string) => A,
): Promise<ContractHarness<A> & { mock: MockProviders }> {
  const running = await runMockProviders({ port: 0 });
  return {
    adapter: make(running.baseUrls[provider]),
    secrets,
    mock: running.mock,
    failNext(fault) {
      const input = FAULTS[provider][fault];
      if (input === undefined) throw new Error(`${provider} mock has no '${fault}' fault`);
      running.mock.setFaults({ [provider]: { script: [input] } });
    },
    failNextProbe(fault) {
      running.mock.setFaults({ [provider]: { probeScript: [PROBE_FAULTS[provider][fault]] } });
    },
    reset: () => running.mock.reset(),
    close: running.close,
  };
}

/** mockHarness for Twilio, counting the calls the mock holds. */
export async function twilioMockHarness(
  secrets: readonly string[],
  make: (baseUrl: string) => TelephonyHarness['adapter'],
): Promise<TelephonyHarness & { mock: MockProviders }> {
  const harness = await mockHarness('twilio', secrets, make);
  return {
    ...harness,
    callsTo: async (to) => harness.mock.twilioCalls.filter((call) => call.to === to).length,
  };
}
