import { Command, CommanderError } from 'commander';

/** Builds the `call-agent` command. Subcommands are added as the layers land. */
export function buildProgram(): Command {
  const program = new Command('call-agent')
    .description('An AI phone-call agent that keeps working while its services fail.')
    .exitOverride()
    .showHelpAfterError();
  program
    .command('simulate')
    .description("run the seed's outage scenario against in-process mock providers");
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
}
