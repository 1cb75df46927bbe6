import type { AppConfig } from '../config.ts';
import { providerSettingsFromEnv, type ProviderSettings } from '../providers/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The adapters' settings: addresses and credentials from the environment, and what the
 * configuration decides (the fallback voice — `tts_fallback`, which TTS_FALLBACK_PROVIDER
 * overrides in `loadConfig` — and the notes cap).
 */
export function providerSettingsFor(env: Env, config: AppConfig): ProviderSettings {
  const settings = providerSettingsFromEnv({ ...env, TTS_FALLBACK_PROVIDER: undefined });
  settings.openai.maxNotesChars = config.llm.max_notes_chars;
  settings.ttsFallback =
    config.tts_fallback === 'openai'
      ? {
          provider: 'openai',
          model: env.OPENAI_TTS_MODEL?.trim() || undefined,
          voice: env.OPENAI_TTS_VOICE?.trim() || undefined,
        }
      : undefined;
  return settings;
}
