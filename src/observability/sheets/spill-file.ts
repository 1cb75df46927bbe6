import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  appendPrivateFileSync,
  makePrivateDirSync,
  replacePrivateFileSync,
} from '../../files/private-files.ts';
import type { LogRecord } from '../log-record.ts';

/** A chunk read from the head of the spill file. */
export interface SpillChunk {
  records: LogRecord[];
  /** Bytes the chunk takes at the head of the file: what `drop` removes once it is sent. */
  bytes: number;
  /** Lines that were not valid records (a torn write): dropped with the chunk. */
  corrupt: number;
}

/**
 * Rows that could not go to Sheets, as JSON lines. Synchronous on purpose: rows are only ever
 * appended at the end, and the head is removed in one synchronous step, so an append made
 * while a replay is in flight is never lost. The rows hold personal data: the file is 0600,
 * in a folder created 0700.
 */
export class SpillFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  get hasRows(): boolean {
    try {
      return statSync(this.path).size > 0;
    } catch {
      return false;
    }
  }

  append(records: readonly LogRecord[]): void {
    if (records.length === 0) return;
    makePrivateDirSync(dirname(this.path));
    appendPrivateFileSync(this.path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /** The first `max` complete lines. */
  read(max: number): SpillChunk {
    if (!existsSync(this.path)) return { records: [], bytes: 0, corrupt: 0 };
    const data = readFileSync(this.path);
    const records: LogRecord[] = [];
    let corrupt = 0;
    let start = 0;
    while (records.length + corrupt < max) {
      const end = data.indexOf(10, start);
      if (end < 0) break;
      const line = data.subarray(start, end).toString('utf8');
      start = end + 1;
      try {
        const record = JSON.parse(line) as LogRecord;
        if (typeof record.event_id === 'string') records.push(record);
        else corrupt++;
      } catch {
        corrupt++;
      }
    }
    return { records, bytes: start, corrupt };
  }

  /** Removes the first `bytes` bytes (a chunk that has been sent). */
  drop(bytes: number): void {
    if (bytes === 0 || !existsSync(this.path)) return;
    const rest = readFileSync(this.path).subarray(bytes);
    if (rest.length === 0) {
      unlinkSync(this.path);
      return;
    }
    replacePrivateFileSync(this.path, rest);
  }
}
