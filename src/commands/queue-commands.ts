import { Option, type Command } from 'commander';
import type { CountryCode } from 'libphonenumber-js/max';
import type { ContactState } from '../queue/call-queue.ts';
import type { CommandContext } from './command-context.ts';
import { positiveInteger, regionCode } from './flag-parsers.ts';
import type { QueueFlags } from './open-queue.ts';

const DB_OPTION = 'SQLite queue file (env DATABASE_PATH; default data/call-agent.db)';

function queueOption(): Option {
  return new Option(
    '--queue <backend>',
    "sqlite: the file --db names; redis: the fleet's (REDIS_URL)",
  )
    .choices(['sqlite', 'redis'])
    .env('QUEUE')
    .default('sqlite');
}

/** `--queue`, `--db` and `--config`: which queue a command reads or mends. */
function withQueueOptions(command: Command): Command {
  return command
    .addOption(queueOption())
    .option('--db <file>', DB_OPTION)
    .option(
      '--config <file>',
      "with --queue redis: the configuration naming the fleet's key prefix (env CALL_AGENT_CONFIG)",
    );
}

/** A SQLite file named for the fleet's queue is a mistake worth stopping at. */
function refuseDbOnRedis(flags: QueueFlags, command: Command): void {
  if (flags.queue === 'redis' && flags.db !== undefined) {
    command.error(
      'error: --db names a SQLite queue; with --queue redis, REDIS_URL names the queue',
      {
        exitCode: 2,
      },
    );
  }
}

/**
 * The commands an operator runs between runs — `status`, `list`, `requeue`, `check` — as the
 * command line shows them. Each loads its code (SQLite, the CSV reader, the providers) only
 * when it runs, so `--help` stays fast.
 */
export function registerQueueCommands(program: Command, context: CommandContext): void {
  const { result, output, env } = context;

  withQueueOptions(
    program
      .command('status')
      .description('what the queue holds: contacts by state, the CRM outbox, what waits and why'),
  )
    .option('--json', 'print it as JSON')
    .action(async (flags: QueueFlags & { json?: boolean }, command: Command) => {
      refuseDbOnRedis(flags, command);
      const { showStatus } = await import('./status.ts');
      result.code = await showStatus(flags, context);
    });

  withQueueOptions(
    program
      .command('list')
      .description('the contacts of the queue: attempts, last error, next attempt (phones masked)'),
  )
    .addOption(
      new Option('--state <state>', 'only the contacts in this state').choices([
        'pending',
        'in_progress',
        'deferred',
        'completed',
        'failed',
      ] satisfies ContactState[]),
    )
    .option('--limit <n>', 'at most this many (default 100)', positiveInteger)
    .option('--json', 'print them as JSON')
    .action(
      async (
        flags: QueueFlags & { state?: ContactState; limit?: number; json?: boolean },
        command: Command,
      ) => {
        refuseDbOnRedis(flags, command);
        const { showList } = await import('./list.ts');
        result.code = await showList(flags, context);
      },
    );

  withQueueOptions(
    program
      .command('requeue')
      .description('put failed contacts back in the queue (every failed one, or those named)'),
  )
    .option('--failed', 'every failed contact')
    .option('--id <id...>', 'the contacts with these ids')
    .action(async (flags: QueueFlags & { failed?: boolean; id?: string[] }, command: Command) => {
      refuseDbOnRedis(flags, command);
      if ((flags.failed === true) === (flags.id !== undefined)) {
        command.error('error: give either --failed or --id <id...>', { exitCode: 2 });
      }
      const { requeueFromFlags } = await import('./requeue.ts');
      result.code = await requeueFromFlags(flags, context);
    });

  program
    .command('check')
    .description(
      'dry run: check the CSV, the configuration, the environment and each provider; no call is placed',
    )
    .argument('<contacts.csv>', 'the CSV a run would import')
    .option(
      '--config <file>',
      'JSON configuration (env CALL_AGENT_CONFIG; default ./call-agent.config.json if present)',
    )
    .addOption(queueOption())
    .option('--db <file>', `${DB_OPTION}; not opened`)
    .option(
      '--default-region <code>',
      'region of numbers written without +country (default US)',
      regionCode,
    )
    .action(
      async (
        contactsFile: string,
        flags: QueueFlags & { defaultRegion?: CountryCode },
        command: Command,
      ) => {
        refuseDbOnRedis(flags, command);
        const { check } = await import('./check.ts');
        const { queuePath } = await import('./queue-file.ts');
        result.code = await check({
          contactsFile,
          configPath: flags.config,
          defaultRegion: flags.defaultRegion,
          db: queuePath(flags.db, env),
          queue: flags.queue,
          env,
          output,
        });
      },
    );
}
