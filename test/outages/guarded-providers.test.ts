import { describe, expect, it } from 'vitest';
import { guardProviders, type Guard } from '../../bench/outages/guarded-providers.ts';
import { contractRecord } from '../../src/providers/contract/crm-contract.ts';
import {
  createInProcessClient,
  IN_PROCESS_ORIGIN,
  MockProviders,
  mockProviderEnv,
  providersFromSettings,
  providerSettingsFromEnv,
} from '../../src/providers/index.ts';
import { VirtualClock } from '../../src/resilience/index.ts';

/** A guard that runs the work once, as a competitor's with nothing to retry would. */
const once: Guard = (work, signal) => work(signal, 0);

describe('guardProviders', () => {
  it("passes the CRM write's options through: a record that may exist is looked up first", async () => {
    const clock = new VirtualClock();
    const mock = new MockProviders({ clock });
    const env = mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN));
    const providers = providersFromSettings(providerSettingsFromEnv(env), {
      httpClient: createInProcessClient(mock),
      clock,
    });
    const { crm } = guardProviders(
      providers,
      () => once,
      () => clock.now(),
    );
    const signal = new AbortController().signal;

    const first = await crm.recordCall(contractRecord, signal);
    const again = await crm.recordCall(contractRecord, signal, { lookUpFirst: true });

    expect(again.id).toBe(first.id);
    expect(mock.crmRecords).toHaveLength(1);
  });
});
