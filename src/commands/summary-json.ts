import { existsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { Output } from '../redaction/output.ts';
import type { RunSummary } from './summary.ts';

/** Where `--summary-json` writes: opened before any call is placed. */
export interface SummaryJsonTarget {
  write(summary: RunSummary): Promise<void>;
  /** Closes the file; one this run created and never wrote is removed. */
  close(): Promise<void>;
}

/** `--summary-json` names a file that cannot be written. */
export class SummaryJsonError extends Error {
  readonly code = 'E_SUMMARY_JSON';
}

/**
 * Opens the summary's destination at the start of a run, so a path that cannot be written
 * stops the run before anything is paid for: `-` is stdout (one line, after the log lines),
 * anything else a file, created if missing and replaced only once the summary is written.
 */
export async function openSummaryJson(path: string, output: Output): Promise<SummaryJsonTarget> {
  if (path === '-') {
    return {
      write: async (summary) => output.out(JSON.stringify(summary)),
      close: async () => undefined,
    };
  }
  const existed = existsSync(path);
  let handle;
  try {
    handle = await open(path, 'a'); // no truncation yet: an earlier summary stays until then
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SummaryJsonError(`cannot write the summary to ${path} (--summary-json): ${reason}`, {
      cause: error,
    });
  }
  let written = false;
  return {
    async write(summary) {
      await handle.truncate(0);
      await handle.writeFile(`${JSON.stringify(summary, null, 2)}\n`);
      written = true;
    },
    async close() {
      await handle.close();
      if (!written && !existed) await rm(path, { force: true });
    },
  };
}
