import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { RedisCallQueue } from '../../src/queue/redis/redis-call-queue.ts';
import { runCli } from '../support/cli-process.ts';
import {
  deleteKeys,
  describeWithRedis,
  freePort,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../support/redis.ts';
import { createWorkspace, type Workspace } from './harness.ts';

/** `status`, `list` and `requeue --queue redis`: an operator looks at and mends the fleet's queue. */
describeWithRedis('call-agent status, list and requeue on the fleet queue', () => {
  const redis = testRedis();
  let prefix: string;
  let ws: Workspace;
  let queue: RedisCallQueue;
  afterAll(() => redis.disconnect());
  beforeEach(async () => {
    prefix = testPrefix();
    ws = await createWorkspace();
    await ws.write('config.json', JSON.stringify({ fleet: { key_prefix: prefix } }));
    queue = new RedisCallQueue({ redis, prefix });
  });
  afterEach(async () => {
    await queue.close();
    await deleteKeys(redis, prefix);
    await ws.cleanup();
  });
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli([...args, '--queue', 'redis', '--config', ws.path('config.json')], {
      env: { REDIS_URL: TEST_REDIS_URL, ...env },
      timeoutMs: 20_000,
    });

  it('shows the fleet queue, lists its failed contact and puts it back for the workers', async () => {
    const contacts = [1, 2, 3].map((n) => ({
      id: `c/${n}`,
      name: n === 1 ? 'Ана\nЛи' : `Contact ${n}`,
      phone: `+1415555010${n}`,
    }));
    await queue.enqueue(contacts);
    const first = await queue.claim('w1', 60_000);
    await queue.fail(first!.contact.id, first!.leaseToken, 'Twilio: 400 21211: not a valid number');

    const status = await cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`queue ${TEST_REDIS_URL} {${prefix}}: 3 contacts`);
    expect(status.stdout).toMatch(/^ {2}pending {6}2$/m);
    expect(status.stdout).toMatch(/^ {2}failed {7}1$/m);
    expect(status.stdout).toContain('fleet: 0 workers alive (heard from in the last 10 s)');
    const json = JSON.parse((await cli(['status', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ workers: 0, contacts: { total: 3, failed: 1, pending: 2 } });

    const failed = await cli(['list', '--state', 'failed']);
    expect(failed.code, failed.stderr).toBe(0);
    expect(failed.stdout).toContain('Ана\\nЛи');
    expect(failed.stdout).toContain('+1415***0101');
    expect(failed.stdout).not.toContain('+14155550101');
    expect(failed.stdout).toContain('not a valid number');

    const requeued = await cli(['requeue', '--failed']);
    expect(requeued.code, requeued.stderr).toBe(0);
    expect(requeued.stdout).toContain('requeued 1 contact: c/1');
    expect(requeued.stdout).toContain('a `call-agent worker` calls it');
    expect(await queue.counts()).toMatchObject({ pending: 3, failed: 0 });
    const again = await cli(['requeue', '--id', 'c/2', 'nobody']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('c/2: not requeued, it is pending already');
    expect(again.stdout).toContain('nobody: not requeued, no such contact');
  });

  it('says there is no queue under a prefix nothing was enqueued to', async () => {
    const result = await cli(['status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no queue at ${TEST_REDIS_URL} {${prefix}}`);
  });

  it('refuses a database Redis does not have, rather than read database 0', async () => {
    await queue.enqueue([{ id: 'a', name: 'A', phone: '+14155550101' }]); // in database 0
    const result = await cli(['status'], { REDIS_URL: `${TEST_REDIS_URL}/99999` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Redis at ${TEST_REDIS_URL}/99999 has no database 99999`);
  });

  it('gives up on a Redis that does not answer, saying why', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const result = await cli(['list'], { REDIS_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Redis at ${url} does not answer: connect ECONNREFUSED`);
  });

  it('check looks at the fleet queue: how full, how many workers, and Redis settings that lose it', async () => {
    await queue.enqueue([{ id: 'a', name: 'A', phone: '+14155550101' }]);
    await ws.write('contacts.csv', 'name,phone\nB,+14155550102\n');
    const result = await cli(['check', ws.path('contacts.csv')]);
    expect(result.stdout).toContain(
      `ok    queue: ${TEST_REDIS_URL} {${prefix}}: 1 contact; 0 workers alive`,
    );
    const appendOnly = (await redis.info('persistence')).includes('aof_enabled:1');
    expect(result.stdout.includes('(appendonly no)')).toBe(!appendOnly);
    const down = await cli(['check', ws.path('contacts.csv')], {
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(
      /^FAIL {2}queue: Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer/m,
    );
  });

  it('refuses a SQLite file named for the fleet queue', async () => {
    const result = await cli(['requeue', '--failed', '--db', ws.path('q.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--db names a SQLite queue');
  });
});
