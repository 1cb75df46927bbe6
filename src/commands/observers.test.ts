import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  startFakeGoogle,
  useTestServiceAccount,
  type FakeGoogle,
} from '../observability/sheets/fake-google.test-support.ts';
import { createOutput } from '../redaction/output.ts';
import type { LogLevel } from '../observability/index.ts';
import { VirtualClock } from '../resilience/index.ts';
import { createObservers } from './observers.ts';

const EMAIL = 'logger@project.iam.gserviceaccount.com';
const account = useTestServiceAccount('observers-');

let google: FakeGoogle | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await google?.close();
  google = undefined;
});

/**
 * Everything the process prints while `run` runs: the program's output (in memory) and,
 * to catch a path that bypasses it, whatever reaches process.stdout and process.stderr.
 */
async function printedWhile(
  run: (output: ReturnType<typeof createOutput>) => Promise<void>,
): Promise<string> {
  let printed = '';
  const capture = (chunk: string | Uint8Array): boolean => {
    printed += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const stream = { write: capture };
  await run(createOutput({ stdout: stream, stderr: stream }));
  vi.restoreAllMocks();
  return printed;
}

/** Runs the virtual clock's short timers (retry delays) while `promise` waits on real I/O. */
async function drive(clock: VirtualClock, promise: Promise<void>): Promise<void> {
  let done = false;
  void promise.finally(() => (done = true));
  while (!done) {
    const due = clock.nextDue;
    if (due !== undefined && due <= clock.now() + 5_000) await clock.advanceTo(due);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await promise;
}

async function sheetsObservers(
  clock: VirtualClock,
  output: ReturnType<typeof createOutput>,
  printLevel?: LogLevel,
) {
  const keyPath = join(account.dir, 'key.json');
  writeFileSync(
    keyPath,
    JSON.stringify({
      client_email: EMAIL,
      private_key: account.privatePem,
      token_uri: google!.tokenUri,
    }),
  );
  return createObservers({
    env: {
      GOOGLE_SHEETS_SPREADSHEET_ID: 'sheet-1',
      GOOGLE_APPLICATION_CREDENTIALS: keyPath,
      GOOGLE_SHEETS_BASE_URL: google!.url,
    },
    clock,
    format: 'json',
    sheetsSpillPath: join(account.dir, `spill-${Math.random()}.jsonl`),
    alerts: false,
    output,
    printLevel,
  });
}

describe("the Sheets sink's own lines", () => {
  it('never print the access token a 500 echoes, whatever its shape', async () => {
    const clock = new VirtualClock();
    google = await startFakeGoogle({
      publicKey: account.publicKey,
      clientEmail: EMAIL,
      spreadsheetId: 'sheet-1',
      clock,
      tokenFor: (n) => `opaque-access-${n}-Zm9vYmFy`,
    });
    google.mode = 'echo-authorization';
    const printed = await printedWhile(async (output) => {
      const observers = await sheetsObservers(clock, output);
      observers.logger.log('INFO', 'Contact-1 completed');
      await clock.advance(1_000); // the sink's flush starts; then retries run on virtual time
      await drive(clock, observers.close(60_000));
    });
    expect(google.issuedTokens.length).toBeGreaterThan(0);
    expect(printed).toContain('sheets: 1 row not appended');
    expect(printed).toContain('HTTP 500');
    for (const token of google.issuedTokens) expect(printed).not.toContain(token);
  });

  it('never print the signed assertion a 400 from the token endpoint echoes', async () => {
    const clock = new VirtualClock();
    google = await startFakeGoogle({
      publicKey: account.publicKey,
      clientEmail: EMAIL,
      spreadsheetId: 'sheet-1',
      clock,
    });
    google.tokenMode = 'echo-assertion';
    const printed = await printedWhile(async (output) => {
      const observers = await sheetsObservers(clock, output);
      observers.logger.log('INFO', 'Contact-1 completed');
      await clock.advance(1_000); // the sink's flush starts; then retries run on virtual time
      await drive(clock, observers.close(60_000));
    });
    expect(google.assertions.length).toBeGreaterThan(0);
    expect(printed).toContain('GoogleSheets OAuth: HTTP 400 invalid_grant');
    for (const assertion of google.assertions) {
      const [header = '', claims = '', signature = ''] = assertion.split('.');
      for (const part of [header, claims, signature]) {
        expect(printed).not.toContain(part.slice(0, 24));
      }
    }
  });
});

describe('--quiet (a print level)', () => {
  it('prints warnings and worse only, and Google Sheets still gets every line', async () => {
    const clock = new VirtualClock();
    google = await startFakeGoogle({
      publicKey: account.publicKey,
      clientEmail: EMAIL,
      spreadsheetId: 'sheet-1',
      clock,
    });
    const printed = await printedWhile(async (output) => {
      const observers = await sheetsObservers(clock, output, 'WARNING');
      observers.logger.log('INFO', 'Contact-1 completed');
      observers.logger.log('WARNING', 'Contact-2 deferred');
      await clock.advance(1_000);
      await drive(clock, observers.close(60_000));
    });
    expect(printed).not.toContain('Contact-1 completed');
    expect(printed).toContain('Contact-2 deferred');
    expect(google.rows.map((row) => [row[1], row[3]])).toEqual([
      ['INFO', 'Contact-1 completed'],
      ['WARNING', 'Contact-2 deferred'],
    ]);
  });
});
