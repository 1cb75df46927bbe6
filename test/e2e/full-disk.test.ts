import { describe, expect, it } from 'vitest';
import { SqliteCallQueue } from '../../src/queue/index.ts';
import { systemClock } from '../../src/resilience/index.ts';
import { runCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  type RunSummary,
} from './harness.ts';

const CONTACTS = 80;
/** The queue's WAL cannot grow past this: the disk fills a few contacts into the run. */
const FILE_LIMIT_KIB = 400;

/** Long notes make every contact heavy, so the disk fills while the campaign runs. */
function heavyCsv(): { csv: string; phones: string[] } {
  const phones = Array.from({ length: CONTACTS }, (_, i) => `+1415555${1000 + i}`);
  const rows = phones.map((phone, i) => `c${i},Person ${i},${phone},${'n'.repeat(3_000)}`);
  return { csv: ['id,name,phone,notes', ...rows, ''].join('\n'), phones };
}

/**
 * The disk fills up during a run (the CLI's files cannot grow past a limit). The run must stop
 * with exit 1 and a message naming the database and the cause, having made no request for a
 * contact it could not record; a later run with room finishes, calling each number once.
 */
describe('call-agent run: the disk fills up', () => {
  const e2e = useWorkspaceAndMock();

  it('stops at the first write that did not commit, then a rerun with room calls everyone once', async () => {
    const { ws, mock } = e2e;
    const { csv, phones } = heavyCsv();
    await prepare(ws, csv);

    const full = await runCli(runArgs(ws, '--concurrency', '4'), {
      env: mock.env,
      timeoutMs: 30_000,
      fileSizeLimitKiB: FILE_LIMIT_KIB,
    });
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toContain(`call queue database ${ws.path('queue.db')}: `);
    expect(full.stderr).toMatch(/\(SQLITE_(FULL|IOERR)\w*\)/);
    const chats = mock.mock.requests('openai').filter((r) => r.method === 'POST').length;
    const syntheses = mock.mock.requests('elevenlabs').filter((r) => r.method === 'POST').length;
    const called = mock.mock.twilioCalls.length;
    // Each contact reached at most once per step: the ones called, plus at most one per slot.
    expect(chats).toBeLessThanOrEqual(called + 4);
    expect(syntheses).toBeLessThanOrEqual(called + 4);
    expect(called).toBeLessThan(CONTACTS);
    // No provider was asked about a contact whose claim did not commit: each one scripted is
    // recorded as taken (in progress or done), none is still pending.
    const scripted = mock.mock
      .requests('openai')
      .filter((r) => r.method === 'POST')
      .map((r) => `c${/Person (\d+)/.exec(r.body)?.[1]}`);
    const queue = new SqliteCallQueue({ path: ws.path('queue.db'), clock: systemClock });
    try {
      for (const id of scripted) {
        expect((await queue.status(id))?.state, id).not.toBe('pending');
      }
    } finally {
      await queue.close();
    }

    const rerun = await runCli(runArgs(ws, '--concurrency', '4'), {
      env: mock.env,
      timeoutMs: 60_000,
    });
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts).toMatchObject({ total: CONTACTS, completed: CONTACTS });
    expect(calledNumbers(mock).sort()).toEqual([...phones].sort());
  }, 100_000);
});
