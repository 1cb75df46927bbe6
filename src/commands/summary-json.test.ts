import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOutput } from '../redaction/output.ts';
import { openSummaryJson, SummaryJsonError } from './summary-json.ts';
import type { RunSummary } from './summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'summary-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const summary: RunSummary = {
  contacts: { total: 1, completed: 1, failed: 0, deferred: 0, pending: 0 },
  services: {},
  crm_outbox: 0,
  ended: 'drained',
};

function memoryOutput() {
  let stdout = '';
  const output = createOutput({
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => undefined },
  });
  return { output, stdout: () => stdout };
}

describe('--summary-json', () => {
  it('replaces an earlier summary only once the new one is written', async () => {
    const path = join(dir, 'earlier.json');
    writeFileSync(path, `${JSON.stringify({ earlier: 'x'.repeat(500) })}\n`);
    const unwritten = await openSummaryJson(path, memoryOutput().output);
    await unwritten.close(); // the run failed before its end
    expect(readFileSync(path, 'utf8')).toContain('earlier');
    const target = await openSummaryJson(path, memoryOutput().output);
    await target.write(summary);
    await target.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(summary);
  });

  it('leaves no empty file behind when the run ends before its summary', async () => {
    const path = join(dir, 'new.json');
    await (await openSummaryJson(path, memoryOutput().output)).close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a path it cannot write at once, naming it', async () => {
    const path = join(dir, 'missing', 'summary.json');
    const opening = openSummaryJson(path, memoryOutput().output);
    await expect(opening).rejects.toBeInstanceOf(SummaryJsonError);
    await expect(opening).rejects.toThrow(
      `cannot write the summary to ${path} (--summary-json): ENOENT`,
    );
  });

  it('prints it on stdout as one line for -', async () => {
    const { output, stdout } = memoryOutput();
    const target = await openSummaryJson('-', output);
    await target.write(summary);
    await target.close();
    expect(stdout()).toBe(`${JSON.stringify(summary)}\n`);
  });
});
