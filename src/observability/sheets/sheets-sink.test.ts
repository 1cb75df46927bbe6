import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServicePolicy, VirtualClock, type ServicePolicy } from '../../resilience/index.ts';
import type { LogRecord } from '../log-record.ts';
import {
  startFakeGoogle,
  useTestServiceAccount,
  type FakeGoogle,
} from './fake-google.test-support.ts';
import { sheetsSinkFromEnv } from './sheets-from-env.ts';
import type { SheetsSink } from './sheets-sink.ts';

const account = useTestServiceAccount('sheets-sink-');

let google: FakeGoogle | undefined;
afterEach(async () => {
  await google?.close();
  google = undefined;
});

const EMAIL = 'logger@project.iam.gserviceaccount.com';
let seq = 0;

function record(n: number): LogRecord {
  return {
    timestamp: new Date(Date.UTC(2026, 0, 29, 18, 17, n)).toISOString(),
    level: 'ERROR',
    service: 'ElevenLabs',
    message: `503 Service Unavailable #${n}`,
    retry_count: n % 2 === 0 ? 3 : null,
    circuit_state: 'CLOSED',
    event: 'call_failed',
    contact_id: `Contact-${n}`,
    event_id: `evt-${n}`,
  };
}

/**
 * A policy without attempt deadlines, and a half-open probe bound beyond `drive`'s reach, so
 * the only virtual timers `drive` runs are retry delays.
 */
function testPolicy(clock: VirtualClock): ServicePolicy {
  return createServicePolicy(
    'GoogleSheets',
    {
      retry: { max_retries: 1, initial_delay: 1, backoff_factor: 2, jitter: 'none', budget: false },
      circuit_breaker: { failure_threshold: 1, recovery_timeout: 5, half_open_timeout: 60 },
    },
    { clock },
  );
}

async function setup(tuning: { maxBufferRows?: number; maxBatchRows?: number } = {}) {
  const clock = new VirtualClock();
  google = await startFakeGoogle({
    publicKey: account.publicKey,
    clientEmail: EMAIL,
    spreadsheetId: 'sheet-1',
    clock,
  });
  const keyPath = join(account.dir, `key-${++seq}.json`);
  writeFileSync(
    keyPath,
    JSON.stringify({
      type: 'service_account',
      client_email: EMAIL,
      private_key: account.privatePem,
      token_uri: google.tokenUri,
    }),
  );
  const spillPath = join(account.dir, `spill-${seq}.jsonl`);
  const logs: string[] = [];
  const policy = testPolicy(clock);
  const sink = sheetsSinkFromEnv(
    {
      GOOGLE_SHEETS_SPREADSHEET_ID: 'sheet-1',
      GOOGLE_APPLICATION_CREDENTIALS: keyPath,
      GOOGLE_SHEETS_BASE_URL: google.url,
    },
    { spillPath, clock, policy, log: (_level, message) => logs.push(message), tuning },
  )!;
  return { clock, sink, spillPath, logs, policy, fake: google };
}

/** Runs virtual timers (retry delays) and lets real I/O finish until the sink is idle. */
async function drive(clock: VirtualClock, sink: SheetsSink): Promise<void> {
  let done = false;
  void sink.idle().then(() => (done = true));
  while (!done) {
    if (
      clock.pendingTimers > 0 &&
      clock.nextDue !== undefined &&
      clock.nextDue <= clock.now() + 5_000
    )
      await clock.advanceTo(clock.nextDue);
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

const ids = (fake: FakeGoogle) => fake.rows.map((row) => row[8]);
const spilled = (path: string) =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as LogRecord).event_id)
    : [];

describe('SheetsSink', () => {
  it('authenticates with a signed JWT and appends rows in one batch per second', async () => {
    const { clock, sink, fake } = await setup();
    for (let n = 1; n <= 5; n++) sink.write(record(n));
    await clock.advance(999);
    await drive(clock, sink);
    expect(fake.appends).toEqual([]);
    await clock.advance(1);
    await fake.handled(1);
    await drive(clock, sink);
    expect(fake.jwtErrors).toEqual([]);
    expect(fake.tokenRequests).toBe(1);
    expect(fake.appends).toEqual([5]);
    expect(fake.rows[0]).toEqual([
      '2026-01-29T18:17:01.000Z',
      'ERROR',
      'ElevenLabs',
      '503 Service Unavailable #1',
      '',
      'CLOSED',
      'call_failed',
      'Contact-1',
      'evt-1',
    ]);
    expect(fake.rows[1]![4]).toBe(3);

    // Three more rows 100 ms later wait for the next window, and reuse the cached token.
    await clock.advance(100);
    for (let n = 6; n <= 8; n++) sink.write(record(n));
    await clock.advance(999);
    expect(fake.appends).toEqual([5]);
    await clock.advance(1);
    await fake.handled(2);
    await drive(clock, sink);
    expect(fake.appends).toEqual([5, 3]);
    expect(fake.tokenRequests).toBe(1);

    // An hour later the token has expired: a new JWT is signed with the clock's time.
    await clock.advance(3_600_000);
    sink.write(record(9));
    await clock.advance(1_000);
    await fake.handled(3);
    await drive(clock, sink);
    expect(fake.tokenRequests).toBe(2);
    expect(fake.jwtErrors).toEqual([]);
    expect(ids(fake)).toEqual([
      'evt-1',
      'evt-2',
      'evt-3',
      'evt-4',
      'evt-5',
      'evt-6',
      'evt-7',
      'evt-8',
      'evt-9',
    ]);
  });

  it('spills while Sheets is down and replays after recovery, losing and duplicating nothing', async () => {
    const { clock, sink, fake, spillPath, policy } = await setup();
    fake.mode = 'down';
    for (let n = 1; n <= 3; n++) sink.write(record(n));
    await clock.advance(1_000);
    await drive(clock, sink); // two attempts, both 503: the batch goes to the spill file
    expect(fake.rows).toEqual([]);
    expect(spilled(spillPath)).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(policy.state).toBe('OPEN');

    // While the breaker is open, a flush is refused at once and spills without any request.
    const before = fake.reads.length + fake.appends.length;
    sink.write(record(4));
    expect(() => sink.write(record(5))).not.toThrow();
    await clock.advance(1_000);
    await drive(clock, sink);
    expect(fake.reads.length + fake.appends.length).toBe(before);
    expect(spilled(spillPath)).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4', 'evt-5']);

    // Sheets is back; after the recovery timeout the next flush succeeds and replays the file.
    fake.mode = 'ok';
    await clock.advance(5_000);
    sink.write(record(6));
    await clock.advance(1_000);
    await drive(clock, sink);
    expect(ids(fake).sort()).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4', 'evt-5', 'evt-6']);
    expect(ids(fake)[0]).toBe('evt-6');
    expect(existsSync(spillPath)).toBe(false);
    expect(sink.stats).toMatchObject({ appended: 1, spilled: 5, replayed: 5, lost: 0 });
  });

  it('replays spilled rows on its own timer when nothing new is written', async () => {
    const { clock, sink, fake, spillPath } = await setup();
    fake.mode = 'down';
    sink.write(record(1));
    await clock.advance(1_000);
    await drive(clock, sink);
    expect(spilled(spillPath)).toEqual(['evt-1']);
    fake.mode = 'ok';
    await clock.advance(15_000);
    await drive(clock, sink);
    expect(ids(fake)).toEqual(['evt-1']);
    expect(existsSync(spillPath)).toBe(false);
  });

  it('never rejects when its spill file cannot be cut after a replay; the rows stay, none twice', async () => {
    const { clock, sink, fake, spillPath, logs } = await setup({ maxBatchRows: 1 });
    fake.mode = 'down';
    sink.write(record(1));
    sink.write(record(2));
    for (let batch = 0; batch < 2; batch++) {
      await clock.advance(1_000);
      await drive(clock, sink);
    }
    expect(spilled(spillPath)).toEqual(['evt-1', 'evt-2']);
    // the spill file cannot be rewritten (on a full disk its temporary copy cannot be made)
    mkdirSync(`${spillPath}.tmp`);
    fake.mode = 'ok';
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await clock.advance(15_000); // the replay timer fires
      await drive(clock, sink);
      await sink.flush();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(ids(fake)).toEqual(['evt-1']);
    expect(spilled(spillPath)).toEqual(['evt-1', 'evt-2']);
    expect(logs.some((line) => line.startsWith(`spill file ${spillPath} cannot be replayed`))).toBe(
      true,
    );
    // once the file can be cut, the replay reads the sheet first: nothing is appended twice
    rmSync(`${spillPath}.tmp`, { recursive: true });
    await clock.advance(15_000);
    await drive(clock, sink);
    expect(ids(fake)).toEqual(['evt-1', 'evt-2']);
    expect(existsSync(spillPath)).toBe(false);
  });

  it('does not duplicate rows when Sheets appends and then drops the connection', async () => {
    const { clock, sink, fake } = await setup();
    fake.mode = 'append-then-drop';
    for (let n = 1; n <= 3; n++) sink.write(record(n));
    await clock.advance(1_000);
    await drive(clock, sink);
    // The first append landed but its answer was lost; the retry read the event_id column
    // and found every row, so nothing was sent twice.
    expect(fake.appends).toEqual([3]);
    expect(fake.reads).toEqual(['Logs!I:I']);
    expect(ids(fake)).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(sink.stats).toMatchObject({ appended: 3, skippedDuplicates: 3, spilled: 0 });
  });

  it('spills past the buffer bound without waiting, then sends everything once', async () => {
    const { clock, sink, fake, spillPath } = await setup({ maxBufferRows: 2 });
    for (let n = 1; n <= 5; n++) sink.write(record(n));
    expect(spilled(spillPath)).toEqual(['evt-3', 'evt-4', 'evt-5']);
    expect(sink.stats.buffered).toBe(2);
    await clock.advance(1_000);
    await drive(clock, sink);
    expect(ids(fake)).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4', 'evt-5']);
    expect(existsSync(spillPath)).toBe(false);
  });

  it('treats a missing key file as a configuration error, and no id as not configured', () => {
    expect(sheetsSinkFromEnv({}, { spillPath: join(account.dir, 'x.jsonl') })).toBeUndefined();
    expect(() =>
      sheetsSinkFromEnv(
        { GOOGLE_SHEETS_SPREADSHEET_ID: 'abc' },
        { spillPath: join(account.dir, 'x.jsonl') },
      ),
    ).toThrow(/GOOGLE_APPLICATION_CREDENTIALS is missing/);
  });
});
