import { existsSync } from 'node:fs';
import type { CountryCode } from 'libphonenumber-js/max';
import { alertChannelsFromEnv } from '../alerts/index.ts';
import { importContacts } from '../agent/contacts/index.ts';
import { configFileFor, loadConfig, parseConfig, type AppConfig } from '../config.ts';
import { ENV_FILE } from '../env-file.ts';
import { sheetsSinkFromEnv } from '../observability/index.ts';
import {
  providersFromSettings,
  type HealthProbed,
  type ProviderSettings,
} from '../providers/index.ts';
import { describeError, systemClock } from '../resilience/index.ts';
import { count } from '../text/count.ts';
import { printLevelFrom } from './print-level.ts';
import { providerSettingsFor } from './provider-settings.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** One line of `check`: passed, passed with something to look at, or failed. */
export interface CheckLine {
  verdict: 'ok' | 'warn' | 'FAIL';
  text: string;
  /** Lines printed under it (the rows rejected …). */
  details?: string[] | undefined;
}

const message = (error: unknown): string => describeError(error).message;

/** The configuration, or the defaults (and a failed line) when it is invalid. */
export function checkConfig(path: string | undefined, env: Env): [AppConfig, CheckLine] {
  const { file } = configFileFor(path, env);
  try {
    const config = loadConfig(path, env);
    return [config, { verdict: 'ok', text: `config: ${file ?? 'the defaults (no config file)'}` }];
  } catch (error) {
    const [first = '', ...rest] = message(error).split('\n');
    return [parseConfig({}), { verdict: 'FAIL', text: first, details: rest }];
  }
}

/** The contacts file, read with `run`'s rules; nothing is queued. */
export async function checkContacts(path: string, defaultRegion: CountryCode): Promise<CheckLine> {
  try {
    const { contacts, errors } = await importContacts({ path }, { defaultRegion });
    const rejected = errors.length === 0 ? '' : ` (${count(errors.length, 'row')} rejected)`;
    const text = `${path}: ${count(contacts.length, 'valid contact')}${rejected}, numbers without a country code read as ${defaultRegion}`;
    const verdict = contacts.length === 0 ? 'FAIL' : errors.length > 0 ? 'warn' : 'ok';
    return { verdict, text, details: errors.map((error) => error.formatted) };
  } catch (error) {
    return { verdict: 'FAIL', text: `${path}: ${message(error)}` };
  }
}

/**
 * The provider variables, with what the configuration decides (the fallback voice), as `run`
 * reads them; undefined settings when some are missing or invalid.
 */
export function checkProviderSettings(
  env: Env,
  config: AppConfig,
): [ProviderSettings | undefined, CheckLine] {
  try {
    const settings = providerSettingsFor(env, config);
    const fallback = settings.ttsFallback ? ', fallback voice OpenAI' : '';
    return [settings, { verdict: 'ok', text: `provider settings: complete${fallback}` }];
  } catch (error) {
    return [undefined, { verdict: 'FAIL', text: `provider settings: ${message(error)}` }];
  }
}

/** Probes each provider's health endpoint once, all at once, each within `timeoutMs`. */
export async function probeProviders(
  settings: ProviderSettings,
  timeoutMs: number,
): Promise<CheckLine[]> {
  const providers = providersFromSettings(settings, { clock: systemClock });
  const probed: HealthProbed[] = [
    providers.llm,
    providers.tts,
    ...(providers.ttsFallback ? [providers.ttsFallback] : []),
    providers.telephony,
    providers.crm,
  ];
  return Promise.all(
    probed.map(async (provider): Promise<CheckLine> => {
      try {
        await provider.probe(AbortSignal.timeout(timeoutMs));
        return { verdict: 'ok', text: `${provider.service}: answers` };
      } catch (error) {
        const info = describeError(error);
        return {
          verdict: 'FAIL',
          text: `${provider.service}: does not answer (${info.errorClass}): ${info.message}`,
        };
      }
    }),
  );
}

/** The alert channels the environment configures. */
export function checkAlerts(env: Env): CheckLine {
  try {
    const channels = alertChannelsFromEnv(env);
    for (const channel of channels) channel.close?.();
    if (channels.length === 0) return { verdict: 'warn', text: 'alerts: no channel configured' };
    return { verdict: 'ok', text: `alerts: ${channels.map((c) => c.name).join(', ')}` };
  } catch (error) {
    return { verdict: 'FAIL', text: `alerts: ${message(error)}` };
  }
}

/** Google Sheets logging: off, or its settings and key file. Nothing is sent. */
export async function checkSheets(env: Env, spillPath: string): Promise<CheckLine> {
  try {
    const sink = sheetsSinkFromEnv(env, { spillPath, clock: systemClock });
    if (sink === undefined) return { verdict: 'ok', text: 'Google Sheets: not configured' };
    await sink.close();
    return { verdict: 'ok', text: 'Google Sheets: spreadsheet and key file set' };
  } catch (error) {
    return { verdict: 'FAIL', text: `Google Sheets: ${message(error)}` };
  }
}

/** Where the queue is; it is not opened (a check writes nothing). */
export function checkQueue(db: string): CheckLine {
  const state = existsSync(db) ? 'exists' : 'does not exist yet: the run creates it';
  return { verdict: 'ok', text: `queue: ${db} ${state}` };
}

/** Whether variables came from `.env` (read at start, the real environment winning). */
/** LOG_LEVEL, told only when it is invalid (`run` would stop on it). */
export function checkLogLevel(env: Env): CheckLine[] {
  try {
    printLevelFrom(env);
    return [];
  } catch (error) {
    return [{ verdict: 'FAIL', text: message(error) }];
  }
}

export function checkEnvFile(): CheckLine[] {
  if (!existsSync(ENV_FILE)) return [];
  return [{ verdict: 'ok', text: `environment: ${ENV_FILE} read (the real environment wins)` }];
}
