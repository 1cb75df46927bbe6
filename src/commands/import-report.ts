import type { ImportedContacts } from '../agent/contacts/index.ts';

/** What one CSV added to the queue (`imported` in the summary). */
export interface ImportReport {
  /** The file as it was named on the command line. */
  file: string;
  queued: number;
  already_queued: number;
  rejected: number;
}

export function importReport(file: string, imported: ImportedContacts): ImportReport {
  return {
    file,
    queued: imported.enqueued?.added ?? 0,
    already_queued: imported.enqueued?.duplicates ?? 0,
    rejected: imported.errors.length,
  };
}

/** `contacts.csv: 1 queued (0 already in the queue, 0 rejected); queue: 4 in all`. */
export function formatImport(report: ImportReport, queueTotal: number): string {
  return (
    `${report.file}: ${report.queued.toLocaleString('en-US')} queued ` +
    `(${report.already_queued.toLocaleString('en-US')} already in the queue, ` +
    `${report.rejected.toLocaleString('en-US')} rejected); ` +
    `queue: ${queueTotal.toLocaleString('en-US')} in all`
  );
}
