import type { Clock } from '../resilience/index.ts';
import { ElevenLabsTts, elevenLabsDefaults } from './elevenlabs/elevenlabs-tts.ts';
import type { HttpClient } from './http/http-client.ts';
import { HubSpotCrm, hubSpotDefaults } from './hubspot/hubspot-crm.ts';
import { OpenAiScriptWriter, openAiDefaults } from './openai/openai-script-writer.ts';
import { OpenAiSpeech } from './openai/openai-speech.ts';
import type { Crm, ScriptWriter, SpeechSynthesizer, Telephony } from './ports.ts';
import { TwilioTelephony, twilioDefaults } from './twilio/twilio-telephony.ts';

/** Everything the adapters need, as a plain object (the config file can produce it too). */
export interface ProviderSettings {
  openai: {
    baseUrl: string;
    apiKey: string;
    model: string;
    /** Cap on a contact's notes in the prompt (the adapter's default: 2,000 characters). */
    maxNotesChars?: number | undefined;
  };
  elevenlabs: { baseUrl: string; apiKey: string; voiceId: string; modelId?: string | undefined };
  /** The fallback voice; absent unless turned on. */
  ttsFallback?:
    { provider: 'openai'; model?: string | undefined; voice?: string | undefined } | undefined;
  twilio: { baseUrl: string; accountSid: string; authToken: string; fromNumber: string };
  hubspot: { baseUrl: string; accessToken: string };
  /** Adapter deadlines (defaults 10 s to the first byte, 30 s in total). */
  http?: { ttfbMs?: number | undefined; totalMs?: number | undefined } | undefined;
}

export interface Providers {
  llm: ScriptWriter;
  tts: SpeechSynthesizer;
  ttsFallback?: SpeechSynthesizer | undefined;
  telephony: Telephony;
  crm: Crm;
}

export interface ProviderDependencies {
  httpClient?: HttpClient | undefined;
  clock?: Clock | undefined;
}

/** Settings that are missing or invalid; names the variables, never a value. */
export class ProviderSettingsError extends Error {
  readonly variables: readonly string[];
  constructor(problems: ReadonlyArray<{ variable: string; problem: string }>) {
    super(problems.map(({ variable, problem }) => `${variable} ${problem}`).join('; '));
    this.name = 'ProviderSettingsError';
    this.variables = problems.map(({ variable }) => variable);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the provider settings from environment variables, with the real providers' URLs as
 * defaults. Throws a ProviderSettingsError naming every missing or invalid variable (e.g.
 * "TWILIO_AUTH_TOKEN is not set"), without printing any value.
 */
export function providerSettingsFromEnv(env: Env): ProviderSettings {
  const problems: Array<{ variable: string; problem: string }> = [];
  const required = (variable: string): string => {
    const value = env[variable]?.trim();
    if (!value) problems.push({ variable, problem: 'is not set' });
    return value ?? '';
  };
  const url = (variable: string, fallback: string): string => {
    const value = env[variable]?.trim() || fallback;
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      problems.push({ variable, problem: 'is not an http(s) URL' });
    }
    return value;
  };
  const optional = (variable: string): string | undefined => env[variable]?.trim() || undefined;

  const settings: ProviderSettings = {
    openai: {
      baseUrl: url('OPENAI_BASE_URL', openAiDefaults.baseUrl),
      apiKey: required('OPENAI_API_KEY'),
      model: optional('OPENAI_MODEL') ?? openAiDefaults.model,
    },
    elevenlabs: {
      baseUrl: url('ELEVENLABS_BASE_URL', elevenLabsDefaults.baseUrl),
      apiKey: required('ELEVENLABS_API_KEY'),
      voiceId: required('ELEVENLABS_VOICE_ID'),
      modelId: optional('ELEVENLABS_MODEL_ID'),
    },
    twilio: {
      baseUrl: url('TWILIO_BASE_URL', twilioDefaults.baseUrl),
      accountSid: required('TWILIO_ACCOUNT_SID'),
      authToken: required('TWILIO_AUTH_TOKEN'),
      fromNumber: required('TWILIO_FROM_NUMBER'),
    },
    hubspot: {
      baseUrl: url('HUBSPOT_BASE_URL', hubSpotDefaults.baseUrl),
      accessToken: required('HUBSPOT_ACCESS_TOKEN'),
    },
  };
  const fallback = optional('TTS_FALLBACK_PROVIDER')?.toLowerCase();
  if (fallback === 'openai') {
    settings.ttsFallback = {
      provider: 'openai',
      model: optional('OPENAI_TTS_MODEL'),
      voice: optional('OPENAI_TTS_VOICE'),
    };
  } else if (fallback !== undefined && fallback !== 'none') {
    problems.push({
      variable: 'TTS_FALLBACK_PROVIDER',
      problem: "must be 'openai', 'none' or unset",
    });
  }
  if (problems.length > 0) throw new ProviderSettingsError(problems);
  return settings;
}

/** Builds every adapter from settings. */
export function providersFromSettings(
  settings: ProviderSettings,
  dependencies: ProviderDependencies = {},
): Providers {
  const http = { ...dependencies, ...settings.http };
  const { openai, elevenlabs, twilio, hubspot, ttsFallback } = settings;
  return {
    llm: new OpenAiScriptWriter({ ...http, ...openai }),
    tts: new ElevenLabsTts({ ...http, ...elevenlabs }),
    ttsFallback: ttsFallback
      ? new OpenAiSpeech({
          ...http,
          baseUrl: openai.baseUrl,
          apiKey: openai.apiKey,
          model: ttsFallback.model,
          voice: ttsFallback.voice,
        })
      : undefined,
    telephony: new TwilioTelephony({ ...http, ...twilio }),
    crm: new HubSpotCrm({ ...http, ...hubspot }),
  };
}

/** `providersFromSettings(providerSettingsFromEnv(env), dependencies)`. */
export function providersFromEnv(env: Env, dependencies: ProviderDependencies = {}): Providers {
  return providersFromSettings(providerSettingsFromEnv(env), dependencies);
}
