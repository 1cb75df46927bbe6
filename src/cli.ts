import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CountryCode } from 'libphonenumber-js/max';
import type { TimeMode } from './commands/simulate.ts';
import type * as Config from './config.ts';
import type { LogLevel } from './observability/log-record.ts';
import { positiveInteger, regionCode, wholeNumber } from './commands/flag-parsers.ts';
import { registerQueueCommands } from './commands/queue-commands.ts';
import { readEnvFile } from './env-file.ts';
import { packageVersion } from './package-version.ts';
import { createOutput, processOutput, type Output } from './redaction/output.ts';
import { secretsFromEnv } from './redaction/secrets-from-env.ts';
import { onListenerError } from './resilience/events.ts';
import { MOCK_TWILIO_FROM_NUMBER } from './providers/mock/mock-types.ts';
import { MAX_TIMER_SECONDS } from './timer-limit.ts';

/** A TCP port; 0 lets the system pick a free one. */
function portNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535)
    throw new InvalidArgumentError('expected a port number from 0 (any free port) to 65535');
  return number;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!(number > 0 && Number.isFinite(number))) {
    throw new InvalidArgumentError('expected a number > 0');
  }
  return number;
}

/** A duration that fits Node's timer. */
function durationSeconds(value: string): number {
  const number = Number(value);
  if (!(number > 0 && number <= MAX_TIMER_SECONDS)) {
    throw new InvalidArgumentError(
      `expected seconds, a number > 0 and at most ${MAX_TIMER_SECONDS} (24.8 days)`,
    );
  }
  return number;
}

/**
 * The configuration; config.ts (and each command below) is imported when a command runs,
 * so `--help` and `--version` load none of them.
 */
async function loadConfig(
  ...args: Parameters<typeof Config.loadConfig>
): Promise<Config.AppConfig> {
  return (await import('./config.ts')).loadConfig(...args);
}

/** The lowest level printed: LOG_LEVEL, raised to WARNING by `--quiet`. */
async function printLevel(quiet: boolean | undefined): Promise<LogLevel> {
  return (await import('./commands/print-level.ts')).printLevelFrom(process.env, quiet === true);
}

interface CommonFlags {
  config?: string;
  db?: string;
  concurrency?: number;
  logFormat?: 'json' | 'pretty';
  quiet?: boolean;
}

function addCommonOptions(
  command: Command,
  concurrency: { description: string; parse: (value: string) => number } = {
    description: 'contacts in flight at once',
    parse: positiveInteger,
  },
): Command {
  return command
    .option('--config <file>', 'JSON configuration (default ./call-agent.config.json if present)')
    .option('--db <file>', 'SQLite queue file (env DATABASE_PATH)')
    .option('--concurrency <n>', concurrency.description, concurrency.parse)
    .addOption(
      new Option(
        '--log-format <format>',
        'json lines or readable lines (json when stdout is not a terminal)',
      ).choices(['json', 'pretty']),
    )
    .option('--quiet', 'print only warnings and worse (env LOG_LEVEL: debug … critical)');
}

/** `--queue sqlite|redis` (env QUEUE), sqlite by default. */
function queueOption(description: string): Option {
  return new Option('--queue <backend>', description)
    .choices(['sqlite', 'redis'])
    .env('QUEUE')
    .default('sqlite');
}

/**
 * Where the process stops on SIGINT / SIGTERM: the contacts in flight go back to the queue
 * and the sinks get their grace. A second signal stops it at once (exit 130): whatever was in
 * flight is taken back by the next run, as after a kill.
 */
function interruptSignal(output: Output): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    if (!controller.signal.aborted) {
      controller.abort(new Error('interrupted'));
      return;
    }
    output.status(undefined);
    output.err(
      'call-agent: stopped at once (second signal); the next run takes back what was in flight',
    );
    reportDroppedLines(output);
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

/** Errors thrown by an engine event listener: printed (with their stack) through `output`. */
export function reportListenerErrors(output: Output): void {
  onListenerError((error) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    output.errBlock(`call-agent: an event listener failed: ${text}`);
  });
}

/** Builds the `call-agent` command; each action sets `result.code` and prints through `output`. */
export function buildProgram(result: { code: number }, output: Output): Command {
  const defaultLogFormat = (): 'json' | 'pretty' => (output.stdoutIsTerminal ? 'pretty' : 'json');
  const program = new Command('call-agent')
    .description('An AI phone-call agent that keeps working while its services fail.')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();

  addCommonOptions(
    program
      .command('simulate')
      .description("run the seed's outage scenario against in-process mock providers")
      .option('--seed <n>', 'random seed: the same seed gives the same run', positiveInteger, 1)
      .addOption(
        new Option('--time <mode>', 'real time, scaled (sped up) or virtual (instant)')
          .choices(['real', 'scaled', 'virtual'])
          .default('scaled'),
      )
      .option(
        '--speed <x>',
        'how much faster than real time --time scaled runs',
        positiveNumber,
        10,
      )
      .option('--contacts <n>', 'contacts in the scenario', positiveInteger, 5),
  ).action(
    async (
      flags: CommonFlags & { seed: number; time: TimeMode; speed: number; contacts: number },
    ) => {
      const config = await loadConfig(flags.config);
      const level = await printLevel(flags.quiet);
      const { simulate } = await import('./commands/simulate.ts');
      const { code } = await simulate({
        config,
        seed: flags.seed,
        time: flags.time,
        speed: flags.speed,
        contacts: flags.contacts,
        concurrency: flags.concurrency ?? 1,
        db: flags.db ?? ':memory:',
        logFormat: flags.logFormat ?? defaultLogFormat(),
        printLevel: level,
        signal: interruptSignal(output),
        env: process.env,
        output,
      });
      result.code = code;
    },
  );
  addCommonOptions(
    program
      .command('run')
      .description('call every contact of a CSV file through the configured providers')
      .argument(
        '<contacts.csv>',
        'CSV with a header: name, phone; optional id, company, notes, language',
      )
      .option('--mock-providers', 'start mock providers on loopback and use them')
      .option(
        '--max-duration <seconds>',
        'stop after this long; unfinished contacts stay queued',
        durationSeconds,
      )
      .option('--summary-json <file>', 'write the end-of-run summary as JSON (- for stdout)')
      .option('--metrics-port <port>', 'serve Prometheus metrics on this port', portNumber)
      .option('--default-region <code>', 'region of numbers without +country', regionCode)
      .addOption(
        queueOption(
          'sqlite: this process calls; redis: enqueue for `call-agent worker`s (REDIS_URL) and wait',
        ),
      ),
  ).action(
    async (
      contactsFile: string,
      flags: CommonFlags & {
        mockProviders?: boolean;
        maxDuration?: number;
        summaryJson?: string;
        metricsPort?: number;
        defaultRegion?: CountryCode;
        queue: 'sqlite' | 'redis';
      },
      command: Command,
    ) => {
      const config = await loadConfig(flags.config);
      const level = await printLevel(flags.quiet);
      if (flags.queue === 'redis') {
        if (flags.mockProviders || flags.db !== undefined || flags.metricsPort !== undefined) {
          command.error(
            'error: with --queue redis the workers call the providers: --mock-providers, --db and --metrics-port are theirs',
            { exitCode: 2 },
          );
        }
        const { runOnFleet } = await import('./commands/run-on-fleet.ts');
        result.code = await runOnFleet({
          config,
          printLevel: level,
          contactsFile,
          env: process.env,
          logFormat: flags.logFormat ?? defaultLogFormat(),
          maxDurationSeconds: flags.maxDuration,
          summaryJson: flags.summaryJson,
          defaultRegion: flags.defaultRegion,
          signal: interruptSignal(output),
          output,
        });
        return;
      }
      const { run } = await import('./commands/run.ts');
      result.code = await run({
        config,
        contactsFile,
        env: process.env,
        db: flags.db ?? process.env.DATABASE_PATH ?? 'data/call-agent.db',
        concurrency: flags.concurrency ?? 4,
        logFormat: flags.logFormat ?? defaultLogFormat(),
        printLevel: level,
        mockProviders: flags.mockProviders === true,
        maxDurationSeconds: flags.maxDuration,
        summaryJson: flags.summaryJson,
        metricsPort: flags.metricsPort,
        defaultRegion: flags.defaultRegion,
        audioBaseUrl: process.env.AUDIO_PUBLIC_BASE_URL,
        signal: interruptSignal(output),
        output,
      });
    },
  );

  addCommonOptions(
    program
      .command('serve')
      .description(
        'work the queue continuously behind an HTTP API and a live dashboard, until SIGINT / SIGTERM',
      )
      .option(
        '--host <address>',
        'address to listen on (without API_TOKEN: loopback only)',
        '127.0.0.1',
      )
      .option('--port <n>', 'port to listen on (0: any free port)', portNumber, 8080)
      .option('--mock-providers', 'start mock providers on loopback and use them')
      .option('--default-region <code>', 'region of numbers without +country', regionCode)
      .addOption(
        queueOption(
          "sqlite: a file of this server's own; redis: the fleet's queue (REDIS_URL), beside `call-agent worker`s",
        ),
      )
      .option(
        '--data-dir <dir>',
        "with --queue redis: this server's audio files and Sheets spill file",
      ),
    {
      description: 'contacts in flight at once (with --queue redis, 0: call nobody, only serve)',
      parse: wholeNumber,
    },
  ).action(
    async (
      flags: CommonFlags & {
        host: string;
        port: number;
        mockProviders?: boolean;
        defaultRegion?: CountryCode;
        queue: 'sqlite' | 'redis';
        dataDir?: string;
      },
      command: Command,
    ) => {
      const { serveQueueFrom } = await import('./commands/serve-flags.ts');
      const store = serveQueueFrom(flags, process.env);
      if (typeof store === 'string') command.error(`error: ${store}`, { exitCode: 2 });
      const { serve } = await import('./commands/serve.ts');
      result.code = await serve({
        config: await loadConfig(flags.config),
        env: process.env,
        store,
        host: flags.host,
        port: flags.port,
        concurrency: flags.concurrency ?? 4,
        logFormat: flags.logFormat ?? defaultLogFormat(),
        mockProviders: flags.mockProviders === true,
        defaultRegion: flags.defaultRegion,
        audioBaseUrl: process.env.AUDIO_PUBLIC_BASE_URL,
        signal: interruptSignal(output),
        output,
      });
    },
  );

  program
    .command('worker')
    .description(
      'work the queue of a fleet on Redis (REDIS_URL) with the configured providers, until stopped',
    )
    .option('--config <file>', 'JSON configuration (default ./call-agent.config.json if present)')
    .option('--concurrency <n>', 'contacts in flight at once', positiveInteger)
    .option('--data-dir <dir>', "this worker's audio files and Sheets spill file", 'data')
    .option('--max-duration <seconds>', 'stop after this long', durationSeconds)
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port', portNumber)
    .addOption(
      new Option(
        '--log-format <format>',
        'json lines or readable lines (json when stdout is not a terminal)',
      ).choices(['json', 'pretty']),
    )
    .option('--quiet', 'print only the log lines of level WARNING and worse')
    .action(
      async (flags: {
        config?: string;
        concurrency?: number;
        dataDir: string;
        maxDuration?: number;
        metricsPort?: number;
        logFormat?: 'json' | 'pretty';
        quiet?: boolean;
      }) => {
        const config = await loadConfig(flags.config);
        const level = await printLevel(flags.quiet);
        const { worker } = await import('./commands/worker.ts');
        result.code = await worker({
          config,
          printLevel: level,
          env: process.env,
          concurrency: flags.concurrency ?? 4,
          logFormat: flags.logFormat ?? defaultLogFormat(),
          dataDir: flags.dataDir,
          maxDurationSeconds: flags.maxDuration,
          metricsPort: flags.metricsPort,
          audioBaseUrl: process.env.AUDIO_PUBLIC_BASE_URL,
          signal: interruptSignal(output),
          output,
        });
      },
    );

  program
    .command('mock-providers')
    .description(
      'serve fault-injecting mock providers on loopback and print the variables to export',
    )
    .option('--port <n>', 'port to listen on (default: any free port)', portNumber)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--tts-character-limit <n>',
      'characters the mock ElevenLabs speaks per quota period (default 10,000,000)',
      positiveInteger,
    )
    .option('--tts-quota-period <seconds>', 'the quota period (default 30 days)', durationSeconds)
    .action(
      async (flags: {
        port?: number;
        host: string;
        ttsCharacterLimit?: number;
        ttsQuotaPeriod?: number;
      }) => {
        const { mockProvidersCommand } = await import('./commands/mock-providers.ts');
        result.code = await mockProvidersCommand({
          port: flags.port,
          host: flags.host,
          ttsCharacterLimit: flags.ttsCharacterLimit,
          ttsQuotaPeriodSeconds: flags.ttsQuotaPeriod,
          output,
          signal: interruptSignal(output),
        });
      },
    );

  program
    .command('alert-test')
    .description('send a test alert through every configured channel and report each result')
    .action(async () => {
      const { alertTest } = await import('./commands/alert-test.ts');
      result.code = await alertTest(process.env, output);
    });
  registerQueueCommands(program, { result, output, env: process.env });
  return program;
}

/** Runs the CLI and returns the process exit code: 0 done, 1 fatal or bad config, 2 bad usage, 3 work left. */
export async function main(argv: string[]): Promise<number> {
  const result = { code: 0 };
  const envFileError = readEnvFile(process.env); // first: the output masks the secrets it sets
  const output = createOutput({
    secrets: secretsFromEnv(process.env),
    keepPhones: [process.env.TWILIO_FROM_NUMBER, MOCK_TWILIO_FROM_NUMBER],
  });
  reportListenerErrors(output);
  const program = buildProgram(result, output);
  // Only a call in flight holds the process open; background timers (health checks, deferrals,
  // reports) do not. The command holds it open until it is done, even while every contact waits.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    if (envFileError) throw envFileError;
    await program.parseAsync(argv);
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const { ConfigError } = await import('./config.ts');
    if (error instanceof ConfigError) {
      output.errBlock(`call-agent: ${error.message}`);
      return 1;
    }
    output.err(`call-agent: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    clearInterval(keepAlive);
    reportDroppedLines(output);
  }
}

/** At the end: lines a slow reader made us drop, if its stream has not drained to tell them. */
function reportDroppedLines(output: Output): void {
  output.reportDropped();
  processOutput.reportDropped();
}
