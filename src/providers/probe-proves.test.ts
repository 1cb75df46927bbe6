import { describe, expect, it } from 'vitest';
import { describeError, VirtualClock } from '../resilience/index.ts';
import { providersFromSettings, providerSettingsFromEnv, type Providers } from './from-env.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from './mock/in-process-client.ts';
import { mockProviderEnv } from './mock/cli-mock-providers.ts';
import { MockProviders } from './mock/mock-providers.ts';
import type { MockProviderId } from './mock/mock-types.ts';
import type { HealthProbed } from './ports.ts';

/**
 * What each adapter's health probe proves: a passing probe may close a circuit opened by a
 * `permanent/service` error only when the probe checks that very condition (docs/architecture.md).
 * Each error here is the real adapter's answer to the mock provider's real error body.
 */
function setup() {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock });
  const settings = providerSettingsFromEnv({
    ...mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)),
    TTS_FALLBACK_PROVIDER: 'openai',
  });
  const providers = providersFromSettings(settings, {
    httpClient: createInProcessClient(mock),
    clock,
  });
  return { mock, providers };
}

const contact = { id: 'c1', name: 'Ada', phone: '+14155550100' };
const signal = new AbortController().signal;

/** The real operation of each role: the error it raises is what a circuit would open on. */
const operations: Record<
  'openai' | 'openaiSpeech' | 'elevenlabs' | 'twilio' | 'hubspot',
  {
    mock: MockProviderId;
    adapter: (p: Providers) => HealthProbed;
    run: (p: Providers) => Promise<unknown>;
  }
> = {
  openai: { mock: 'openai', adapter: (p) => p.llm, run: (p) => p.llm.writeScript(contact, signal) },
  openaiSpeech: {
    mock: 'openai',
    adapter: (p) => p.ttsFallback!,
    run: (p) => p.ttsFallback!.synthesize('Hello', signal),
  },
  elevenlabs: {
    mock: 'elevenlabs',
    adapter: (p) => p.tts,
    run: (p) => p.tts.synthesize('Hello', signal),
  },
  twilio: {
    mock: 'twilio',
    adapter: (p) => p.telephony,
    run: (p) => p.telephony.placeCall({ contactId: 'c1', to: contact.phone, script: 'Hi' }, signal),
  },
  hubspot: {
    mock: 'hubspot',
    adapter: (p) => p.crm,
    run: (p) =>
      p.crm.recordCall(
        {
          contactId: 'c1',
          contactName: 'Ada',
          phone: contact.phone,
          callSid: 'CA1',
          status: 'queued',
          degraded: false,
          script: 'Hi',
          timestamp: 0,
        },
        signal,
      ),
  },
};

const CASES: Array<[keyof typeof operations, string, boolean]> = [
  ['openai', 'invalid_api_key', true],
  ['openai', 'insufficient_quota', false],
  ['openaiSpeech', 'invalid_api_key', true],
  ['openaiSpeech', 'insufficient_quota', false],
  ['elevenlabs', 'invalid_api_key', true],
  ['elevenlabs', 'quota_exceeded', true],
  ['elevenlabs', 'missing_permissions', false],
  ['twilio', '20003', true],
  ['twilio', '21210', false],
  ['hubspot', '401', true],
  ['hubspot', 'DAILY', true],
  ['hubspot', '403', false],
];

describe('what a passing health probe proves', () => {
  it.each(CASES)('%s %s → %s', async (role, fault, proves) => {
    const { mock, providers } = setup();
    const { mock: id, adapter, run } = operations[role];
    mock.setFaults({ [id]: { script: [fault] } });
    const error = await run(providers).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    const info = describeError(error);
    expect(info.errorClass).toBe('permanent/service');
    expect(adapter(providers).probeProves(info)).toBe(proves);
  });
});
