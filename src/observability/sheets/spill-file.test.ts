import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../log-record.ts';
import { SpillFile } from './spill-file.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spill-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (n: number): LogRecord => ({
  timestamp: '2026-01-29T18:17:19.000Z',
  level: 'INFO',
  service: 'Agent',
  message: `Contact ${n} completed`,
  retry_count: null,
  circuit_state: null,
  event: 'contact_completed',
  contact_id: `Contact-${n}`,
  event_id: `evt-${n}`,
});

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('SpillFile', () => {
  it('is created 0600 in a folder created 0700, and stays 0600 when its head is dropped', () => {
    const path = join(dir, 'data', 'sheets-spill.jsonl');
    const spill = new SpillFile(path);
    spill.append([record(1), record(2)]);
    expect(modeOf(join(dir, 'data'))).toBe(0o700);
    expect(modeOf(path)).toBe(0o600);
    const first = spill.read(1);
    spill.drop(first.bytes);
    expect(modeOf(path)).toBe(0o600);
    expect(spill.read(10).records.map((r) => r.event_id)).toEqual(['evt-2']);
  });
});
