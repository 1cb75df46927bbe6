import type { Clock, ServicePolicy } from '../../resilience/index.ts';
import type { LogLevel } from '../log-record.ts';
import { loadServiceAccountKey } from './service-account.ts';
import { SheetsClient } from './sheets-client.ts';
import { SheetsSink, type SheetsSinkOptions } from './sheets-sink.ts';
import { ServiceAccountTokenSource } from './token-source.ts';

export interface SheetsFromEnvDependencies {
  /** Where rows wait while Sheets is down (e.g. `data/sheets-spill.jsonl`). */
  spillPath: string;
  clock?: Clock;
  fetch?: typeof fetch;
  log?: (level: LogLevel, message: string) => void;
  /** The policy appends run through (default: `sheetsPolicy(clock)`). */
  policy?: ServicePolicy;
  /** Batching and buffering, when the defaults do not fit. */
  tuning?: Pick<
    SheetsSinkOptions,
    'flushIntervalMs' | 'maxBatchRows' | 'maxBufferRows' | 'replayIntervalMs'
  >;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The Google Sheets sink as the environment configures it, or undefined when
 * GOOGLE_SHEETS_SPREADSHEET_ID is not set. Reads GOOGLE_APPLICATION_CREDENTIALS (the
 * service-account JSON key file, required then), GOOGLE_SHEETS_RANGE (default `Logs!A:I`)
 * and GOOGLE_SHEETS_BASE_URL (default https://sheets.googleapis.com).
 */
export function sheetsSinkFromEnv(
  env: Env,
  dependencies: SheetsFromEnvDependencies,
): SheetsSink | undefined {
  const spreadsheetId = env['GOOGLE_SHEETS_SPREADSHEET_ID']?.trim();
  if (!spreadsheetId) return undefined;
  const keyPath = env['GOOGLE_APPLICATION_CREDENTIALS']?.trim();
  if (!keyPath) {
    throw new Error(
      'Google Sheets logging is half-configured: GOOGLE_APPLICATION_CREDENTIALS is missing (GOOGLE_SHEETS_SPREADSHEET_ID is set)',
    );
  }
  const baseUrl = env['GOOGLE_SHEETS_BASE_URL']?.trim() || undefined;
  if (baseUrl !== undefined && !URL.canParse(baseUrl)) {
    throw new Error('GOOGLE_SHEETS_BASE_URL is not a valid URL');
  }
  const { clock, fetch, log, spillPath, policy, tuning } = dependencies;
  const tokens = new ServiceAccountTokenSource({
    key: loadServiceAccountKey(keyPath),
    ...(clock && { clock }),
    ...(fetch && { fetch }),
  });
  const client = new SheetsClient({
    spreadsheetId,
    tokens,
    ...(baseUrl && { baseUrl }),
    ...(clock && { clock }),
    ...(fetch && { fetch }),
  });
  const range = env['GOOGLE_SHEETS_RANGE']?.trim();
  return new SheetsSink({
    ...tuning,
    client,
    spillPath,
    ...(range && { range }),
    ...(clock && { clock }),
    ...(log && { log }),
    ...(policy && { policy }),
  });
}
