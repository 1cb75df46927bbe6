import { afterEach, expect, it } from 'vitest';
import { finished, startCli } from '../support/cli-process.ts';
import { describeWithRedis, startRedisServer, type PrivateRedis } from '../support/redis.ts';
import { contactsCsv, until, useWorkspaceAndMock } from './harness.ts';

/** `run --queue redis` waiting on the workers when Redis goes away: it says so, and stops. */
describeWithRedis(
  'call-agent run --queue redis when Redis goes away',
  () => {
    const e2e = useWorkspaceAndMock();
    let server: PrivateRedis | undefined;
    afterEach(async () => server?.close());

    it(
      'says that Redis does not answer, and a SIGTERM still ends it',
      { timeout: 40_000 },
      async () => {
        const { ws } = e2e;
        server = await startRedisServer();
        await ws.write('contacts.csv', contactsCsv(2).csv);
        await ws.write('config.json', JSON.stringify({ fleet: { key_prefix: 'down' } }));
        const run = startCli(
          ['run', ws.path('contacts.csv'), '--queue', 'redis', '--config', ws.path('config.json')],
          { env: { REDIS_URL: server.url } },
        );
        // no worker runs: the contacts wait, and so does the run
        await until(() => run.stderr().includes('no worker is running'), 15_000, 'the run waiting');
        await server.kill();
        const notice = `Redis at ${server.url} {down} does not answer: waiting for it`;
        await until(() => run.stderr().includes(notice), 15_000, 'the notice');
        run.child.kill('SIGTERM');
        const result = await finished(run, 15_000);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(
          'the queue did not answer within 3 s of the stop: the contacts stay queued for the workers',
        );
      },
    );
  },
  'server',
);
