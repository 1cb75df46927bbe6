import { describe, expect, it } from 'vitest';
import { createServicePolicy, VirtualClock } from '../../resilience/index.ts';
import type { FaultsConfig } from '../mock/faults.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import type { PlacedCall } from '../ports.ts';
import { TwilioTelephony } from './twilio-telephony.ts';

/** The engine's retries around the real adapter, on virtual time: a person is called once. */
async function placeThroughPolicy(faults: FaultsConfig['twilio']) {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock, faults: { twilio: faults } });
  const telephony = new TwilioTelephony({
    baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).twilio,
    accountSid: 'AC1',
    authToken: 'token',
    fromNumber: '+15005550006',
    httpClient: createInProcessClient(mock),
    clock,
  });
  const policy = createServicePolicy(
    'Twilio',
    {
      retry: { max_retries: 3, initial_delay: 5, backoff_factor: 2, jitter: 'none', budget: false },
      circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
      timeout: { attempt: 2 },
    },
    { clock },
  );
  let result: PlacedCall | unknown;
  let settled = false;
  void policy
    .execute(({ signal }) =>
      telephony.placeCall({ contactId: 'c', to: '+14155550123', script: 'Hi' }, signal),
    )
    .then(
      (value) => (result = value),
      (error: unknown) => (result = error),
    )
    .finally(() => (settled = true));
  await clock.runUntil(() => settled);
  return { result, mock };
}

describe('TwilioTelephony under the service policy', () => {
  it('look-up failed after an accepted call: the retry finds it; one call in all', async () => {
    const { result, mock } = await placeThroughPolicy({
      script: ['accept-then-reset'],
      lookupScript: ['503'],
    });
    expect(result).toMatchObject({ foundExisting: true });
    expect(mock.twilioCalls).toHaveLength(1);
  });

  it("the engine's attempt timeout cut an accepted call: the retry finds it; one call in all", async () => {
    const { result, mock } = await placeThroughPolicy({ script: ['slow:60000'] });
    expect(result).toMatchObject({ foundExisting: true });
    expect(mock.twilioCalls).toHaveLength(1);
    expect(mock.requests('twilio').map((r) => `${r.method} ${r.fault}`)).toEqual([
      'POST slow:60000',
      'GET ok',
    ]);
  });

  it('503, 503, then ok: placed once, on the third attempt', async () => {
    const { result, mock } = await placeThroughPolicy({ script: ['503', '503'] });
    expect(result).toMatchObject({ foundExisting: false });
    expect(mock.twilioCalls).toHaveLength(1);
  });
});
