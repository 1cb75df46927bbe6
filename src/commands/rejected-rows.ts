import type { RowError } from '../agent/contacts/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Output } from '../redaction/output.ts';

/** Bad rows shown on stderr; the log holds every one. */
const SHOWN_ON_STDERR = 20;

/**
 * Tells each rejected row of a contacts file once wherever a person reads it: every row is a
 * WARNING line in the log (the record, `contact_rejected`); stderr shows the first 20 as
 * well, unless the log already prints them on the same terminal.
 */
export function reportRejectedRows(
  errors: readonly RowError[],
  logger: Logger,
  output: Output,
): void {
  for (const error of errors) {
    logger.log('WARNING', error.formatted, { event: 'contact_rejected' });
  }
  if (logger.prints('WARNING') && output.stdoutIsTerminal && output.stderrIsTerminal) return;
  for (const error of errors.slice(0, SHOWN_ON_STDERR)) output.err(error.formatted);
  if (errors.length > SHOWN_ON_STDERR) {
    output.err(
      `… and ${(errors.length - SHOWN_ON_STDERR).toLocaleString('en-US')} more rejected rows (each is in the log: contact_rejected)`,
    );
  }
}
