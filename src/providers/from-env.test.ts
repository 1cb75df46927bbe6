import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import {
  providersFromEnv,
  providersFromSettings,
  providerSettingsFromEnv,
  ProviderSettingsError,
} from './from-env.ts';
import { mockProviderEnv } from './mock/cli-mock-providers.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from './mock/in-process-client.ts';
import { MockProviders } from './mock/mock-providers.ts';

const SECRETS = {
  OPENAI_API_KEY: 'sk-env-secret-1',
  ELEVENLABS_API_KEY: 'xi-env-secret-2',
  TWILIO_AUTH_TOKEN: 'tw-env-secret-3',
  HUBSPOT_ACCESS_TOKEN: 'hs-env-secret-4',
};
const complete = {
  ...SECRETS,
  ELEVENLABS_VOICE_ID: 'voice-1',
  TWILIO_ACCOUNT_SID: 'AC1',
  TWILIO_FROM_NUMBER: '+15005550006',
};

describe('providerSettingsFromEnv', () => {
  it("defaults to the real providers' URLs", () => {
    const settings = providerSettingsFromEnv(complete);
    expect(settings.openai).toMatchObject({
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
    });
    expect(settings.elevenlabs.baseUrl).toBe('https://api.elevenlabs.io');
    expect(settings.twilio.baseUrl).toBe('https://api.twilio.com');
    expect(settings.hubspot.baseUrl).toBe('https://api.hubapi.com');
    expect(settings.ttsFallback).toBeUndefined();
  });

  it('names every missing variable, and prints no value', () => {
    const { TWILIO_AUTH_TOKEN: _, HUBSPOT_ACCESS_TOKEN: __, ...partial } = complete;
    let error: unknown;
    try {
      providerSettingsFromEnv({ ...partial, OPENAI_BASE_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderSettingsError);
    expect((error as Error).message).toBe(
      'OPENAI_BASE_URL is not an http(s) URL; TWILIO_AUTH_TOKEN is not set; HUBSPOT_ACCESS_TOKEN is not set',
    );
    expect((error as ProviderSettingsError).variables).toEqual([
      'OPENAI_BASE_URL',
      'TWILIO_AUTH_TOKEN',
      'HUBSPOT_ACCESS_TOKEN',
    ]);
    for (const secret of Object.values(SECRETS))
      expect((error as Error).message).not.toContain(secret);
  });

  it('turns the OpenAI fallback voice on with TTS_FALLBACK_PROVIDER=openai, and rejects other values', () => {
    expect(
      providerSettingsFromEnv({ ...complete, TTS_FALLBACK_PROVIDER: 'openai' }).ttsFallback,
    ).toEqual({
      provider: 'openai',
      model: undefined,
      voice: undefined,
    });
    expect(() => providerSettingsFromEnv({ ...complete, TTS_FALLBACK_PROVIDER: 'polly' })).toThrow(
      "TTS_FALLBACK_PROVIDER must be 'openai', 'none' or unset",
    );
  });
});

describe('providersFromEnv', () => {
  it('builds working adapters (here over the in-process mock)', async () => {
    const clock = new VirtualClock();
    const mock = new MockProviders({ clock });
    const env = {
      ...mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)),
      TTS_FALLBACK_PROVIDER: 'openai',
    };
    const providers = providersFromEnv(env, { httpClient: createInProcessClient(mock), clock });
    const signal = new AbortController().signal;
    expect(providers.llm.service).toBe('OpenAI');
    expect(providers.ttsFallback?.service).toBe('OpenAI TTS');
    await Promise.all(
      [providers.llm, providers.tts, providers.ttsFallback, providers.telephony, providers.crm].map(
        (adapter) => adapter?.probe(signal),
      ),
    );
    expect(new Set(mock.requests().map((request) => request.provider))).toEqual(
      new Set(['openai', 'elevenlabs', 'twilio', 'hubspot']),
    );
  });

  it("passes the notes cap to the LLM's adapter", async () => {
    const clock = new VirtualClock();
    const mock = new MockProviders({ clock });
    const settings = providerSettingsFromEnv(mockProviderEnv(mock.baseUrls(IN_PROCESS_ORIGIN)));
    const providers = providersFromSettings(
      { ...settings, openai: { ...settings.openai, maxNotesChars: 5 } },
      { httpClient: createInProcessClient(mock), clock },
    );
    const contact = { id: 'c1', name: 'Ada', phone: '+14155550123', notes: 'a long story' };
    await providers.llm.writeScript(contact, new AbortController().signal);
    expect(mock.requests('openai')[0]?.body).toContain('Notes: a lo…');
  });
});
