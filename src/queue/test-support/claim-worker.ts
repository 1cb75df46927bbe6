/**
 * A worker process for the two-process test: opens the queue file given as argument, says
 * `ready`, waits for a line on stdin, then claims and completes until nothing is due and
 * prints the ids it claimed as one JSON line.
 */
import { once } from 'node:events';
import { SystemClock } from '../../resilience/index.ts';
import { SqliteCallQueue } from '../sqlite-call-queue.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: claim-worker <db-path>');
const queue = new SqliteCallQueue({ path, clock: new SystemClock() });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const claimed: string[] = [];
for (;;) {
  const next = await queue.claim(`pid-${process.pid}`, 600_000);
  if (next === undefined) break;
  claimed.push(next.contact.id);
  await queue.complete(next.contact.id, next.leaseToken);
}
await queue.close();
process.stdout.write(`${JSON.stringify(claimed)}\n`);
process.stdin.destroy();
