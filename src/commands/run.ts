import { dirname, join } from 'node:path';
import type { CountryCode } from 'libphonenumber-js/max';
import { FileAudioStore } from '../agent/audio-store.ts';
import { importContacts } from '../agent/contacts/index.ts';
import type { AppConfig } from '../config.ts';
import {
  describeMockLimits,
  mockProviderEnv,
  providersFromSettings,
  runMockProviders,
} from '../providers/index.ts';
import { SqliteCallQueue } from '../queue/index.ts';
import { systemClock } from '../resilience/index.ts';
import { createSession, runToEnd } from './campaign-session.ts';
import { createObservers } from './observers.ts';
import type { LogLevel } from '../observability/index.ts';
import type { Output } from '../redaction/output.ts';
import { providerSettingsFor } from './provider-settings.ts';
import { ResourceStack } from './resource-stack.ts';
import { reportRejectedRows } from './rejected-rows.ts';
import { exitCodeFor, formatSummary } from './summary.ts';
import { formatImport, importReport } from './import-report.ts';
import { openSummaryJson } from './summary-json.ts';
import { startProgressLine } from './progress-line.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface RunOptions {
  config: AppConfig;
  contactsFile: string;
  env: Env;
  db: string;
  concurrency: number;
  logFormat: 'json' | 'pretty';
  /** Log lines below this level are not printed (default INFO); Google Sheets gets them all. */
  printLevel?: LogLevel | undefined;
  mockProviders: boolean;
  maxDurationSeconds?: number | undefined;
  summaryJson?: string | undefined;
  metricsPort?: number | undefined;
  /** Region of numbers without `+country` (default: the configuration's). */
  defaultRegion?: CountryCode | undefined;
  /** Public URL the audio directory is served at, for Twilio to <Play> it. */
  audioBaseUrl?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Where everything is printed: log lines on stdout, bad rows and the summary on stderr. */
  output: Output;
}

/**
 * `call-agent run <contacts.csv>`: imports the contacts, then works the queue with the
 * configured providers until every contact is completed or failed and the CRM outbox is empty.
 * Returns the exit code (0 done, 3 work left in the queue). Once the work is done (or the run
 * is stopped) the sinks get `shutdown_grace` to deliver what they hold; the summary is the
 * last thing printed.
 */
export async function run(options: RunOptions): Promise<number> {
  const { config } = options;
  const clock = systemClock;
  // before anything is paid for: a summary that cannot be written is found now
  const summaryJson =
    options.summaryJson === undefined
      ? undefined
      : await openSummaryJson(options.summaryJson, options.output);
  const resources = new ResourceStack();
  try {
    let env = options.env;
    if (options.mockProviders) {
      const mock = await runMockProviders({ host: '127.0.0.1', port: 0 });
      resources.defer(() => mock.close());
      options.output.err(
        `mock providers at ${mock.origin} (faults: POST ${mock.origin}/__faults, requests: GET ${mock.origin}/__requests)`,
      );
      options.output.err(describeMockLimits().replace(/^# /, ''));
      env = { ...env, ...mockProviderEnv(mock.baseUrls) };
    }
    const providers = providersFromSettings(providerSettingsFor(env, config), { clock });
    const dataDir = options.db === ':memory:' ? 'data' : dirname(options.db);
    const audio = new FileAudioStore({
      dir: join(dataDir, 'audio'),
      publicBaseUrl: options.audioBaseUrl,
      retentionMs: config.audio.retention * 1000,
      clock,
    });
    await audio.check(); // an unwritable folder is found before anything is paid for
    await audio.sweep(); // what an earlier run left past its retention
    const observers = await createObservers({
      env,
      output: options.output,
      clock,
      format: options.logFormat,
      printLevel: options.printLevel,
      metricsPort: options.metricsPort,
      sheetsSpillPath: join(dataDir, 'sheets-spill.jsonl'),
    });
    resources.defer(() => observers.close(config.shutdown_grace * 1000));
    const queue = new SqliteCallQueue({
      path: options.db,
      clock,
      maxFailedAttempts: config.queue.max_failed_attempts,
    });
    resources.defer(() => queue.close());
    const defaultRegion = options.defaultRegion ?? config.contacts.default_region;
    const imported = await importContacts({ path: options.contactsFile }, { queue, defaultRegion });
    reportRejectedRows(imported.errors, observers.logger, options.output);
    const report = importReport(options.contactsFile, imported);
    const start = await queue.counts();
    const total = Object.values(start).reduce((sum, n) => sum + n, 0);
    options.output.err(formatImport(report, total));
    const { campaign, dispose } = createSession({
      config,
      providers,
      queue,
      audio,
      clock,
      concurrency: options.concurrency,
      observers,
    });
    resources.defer(dispose);
    // taken away first when the run ends: before the sinks have their say and the summary
    resources.defer(await startProgressLine({ campaign, queue, output: options.output, start }));
    const ended = await runToEnd(campaign, queue, {
      signal: options.signal,
      maxDurationMs:
        options.maxDurationSeconds === undefined ? undefined : options.maxDurationSeconds * 1000,
      giveUpAfterMs: config.run.give_up_after * 1000,
    });
    const summary = { ...ended, imported: report };
    await resources.closeAll(); // the sinks have their say before the summary
    await summaryJson?.write(summary);
    options.output.errBlock(formatSummary(summary));
    return exitCodeFor(summary);
  } finally {
    await resources.closeAll().finally(() => summaryJson?.close());
  }
}
