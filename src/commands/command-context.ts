import type { Output } from '../redaction/output.ts';

/** What a subcommand's registration needs: where to put its exit code, and the one writer. */
export interface CommandContext {
  result: { code: number };
  output: Output;
  /** The environment (`process.env` after `.env` was read). */
  env: Readonly<Record<string, string | undefined>>;
}
