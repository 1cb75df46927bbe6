import { describe, expect, it } from 'vitest';
import { SqliteCallQueue } from '../../src/queue/index.ts';
import { systemClock } from '../../src/resilience/index.ts';
import { finished, startCli } from '../support/cli-process.ts';
import { contactsCsv, FAST_CONFIG, until, useWorkspaceAndMock } from './harness.ts';

const TOKEN = 'e2e-serve-token-5b9d2c';

/**
 * `call-agent serve` stopped by SIGTERM: /readyz fails first, nothing new is claimed, the call
 * that ends within the drain deadline finishes, the one that does not goes back to the queue,
 * and the process exits 0.
 */
describe('call-agent serve: SIGTERM', () => {
  // the first call is answered after 0.3 s, the second after 20 s (past the 1.5 s deadline)
  const e2e = useWorkspaceAndMock({ twilio: { script: ['slow:300', 'slow:20000'] } });

  it('drains gracefully and exits 0, the unfinished contacts back in the queue', async () => {
    const { ws, mock } = e2e;
    await ws.write(
      'config.json',
      JSON.stringify({
        ...FAST_CONFIG,
        timeout: { attempt: 30, total: 60 },
        server: { drain_timeout: 1.5 },
      }),
    );
    const db = ws.path('queue.db');
    const cli = startCli(
      [
        'serve',
        '--port',
        '0',
        '--db',
        db,
        '--config',
        ws.path('config.json'),
        '--concurrency',
        '2',
        '--log-format',
        'json',
      ],
      { env: { ...mock.env, API_TOKEN: TOKEN } },
    );
    await until(
      () => /dashboard and API at http:\/\/\S+\//.test(cli.stderr()),
      15_000,
      'the server',
    );
    const base = /dashboard and API at (http:\/\/\S+)\//.exec(cli.stderr())![1]!;
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      });

    const { phones } = contactsCsv(4);
    const posted = await call('/calls', {
      method: 'POST',
      body: JSON.stringify(
        phones.map((phone, i) => ({ id: `c${i + 1}`, name: `Person ${i + 1}`, phone })),
      ),
    });
    expect(await posted.json()).toEqual({ queued: 4, duplicates: 0, rejected: [] });
    await until(() => mock.mock.twilioCalls.length === 2, 15_000, 'two calls placed');

    cli.child.kill('SIGTERM');
    let ready = 200;
    await until(
      () => {
        void fetch(`${base}/readyz`).then(
          (response) => (ready = response.status),
          () => undefined,
        );
        return ready === 503;
      },
      1_400,
      '/readyz to fail',
    );
    expect((await fetch(`${base}/livez`)).status).toBe(200);

    const stopped = await finished(cli, 15_000);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain('call-agent serve: stopped');
    const shutdown = stopped.lines
      .filter((line) => line.event === 'shutdown')
      .map((l) => l.message);
    expect(shutdown).toEqual([
      'Shutting down: no new contact is taken; 2 contacts in flight get 1.5 s to finish',
      '1 contact in flight went back to the queue',
    ]);

    const queue = new SqliteCallQueue({ path: db, clock: systemClock });
    try {
      const states = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((id) => queue.status(id)));
      const [first, second, ...rest] = states;
      expect([first?.state, second?.state].sort()).toEqual(['completed', 'deferred']);
      const returned = [first, second].find((s) => s?.state === 'deferred');
      expect(returned).toMatchObject({
        reason: 'stopped before the contact finished',
        failedAttempts: 0,
      });
      // its call was placed: the next start looks it up before placing another
      expect(returned?.checkpoints.callStartedAt).toBeDefined();
      for (const contact of rest) expect(contact).toMatchObject({ state: 'pending', claims: 0 });
    } finally {
      await queue.close();
    }
    expect(mock.mock.twilioCalls).toHaveLength(2);
  }, 40_000);
});
