/**
 * For the full-disk test: on the queue file given as argument, claims until a claim fails
 * (`claim`), or defers the leases listed in a JSON file until a deferral fails (`defer`),
 * printing one JSON line per write (`{"ok":"c1"}`, then `{"error":…,"storageCode":…}`). The
 * test starts it under `ulimit -f`, so the file cannot grow: a full disk, without root.
 */
import { readFileSync } from 'node:fs';
import { SystemClock } from '../../resilience/index.ts';
import { SqliteCallQueue } from '../sqlite-call-queue.ts';

const [mode, path, leasesFile] = process.argv.slice(2);
if (path === undefined || (mode !== 'claim' && mode !== 'defer')) {
  throw new Error('usage: limited-claimer claim|defer <db-path> [leases.json]');
}
const clock = new SystemClock();
const queue = new SqliteCallQueue({ path, clock });

/** The next write: the id it wrote, or undefined when there is nothing left to do. */
async function* writes(): AsyncGenerator<string> {
  if (mode === 'claim') {
    for (;;) {
      const claimed = await queue.claim('limited', 600_000);
      if (claimed === undefined) return;
      yield claimed.contact.id;
    }
  }
  const leases = JSON.parse(readFileSync(leasesFile ?? '', 'utf8')) as Array<[string, string]>;
  const deferral = { notBefore: clock.now() + 3_600_000, reason: 'x', countsAsFailure: false };
  for (const [id, token] of leases) {
    await queue.defer(id, token, deferral);
    yield id;
  }
}

try {
  for await (const id of writes()) process.stdout.write(`${JSON.stringify({ ok: id })}\n`);
} catch (error) {
  const { code, storageCode } = error as { code?: string; storageCode?: string };
  process.stdout.write(`${JSON.stringify({ error: code, storageCode })}\n`);
}
await queue.close().catch(() => undefined);
