import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../src/resilience/index.ts';
import { SqliteCallQueue, type QueuedContactData } from '../src/queue/index.ts';

export interface QueueBenchResult {
  /** Claim + complete pairs per second (one operation = one contact claimed and completed). */
  opsPerSecond: number;
  operations: number;
  durationMs: number;
}

/**
 * Claims and completes `contacts` contacts one by one on a fresh SQLite file (WAL,
 * synchronous=NORMAL, the queue's defaults) and measures the rate. Real time on purpose.
 */
export async function benchQueue(contacts = 20_000): Promise<QueueBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'queue-bench-'));
  const queue = new SqliteCallQueue({ path: join(dir, 'bench.db'), clock: new SystemClock() });
  try {
    const batch: QueuedContactData[] = [];
    for (let i = 0; i < contacts; i++) {
      batch.push({
        id: `c${i}`,
        name: `Contact ${i}`,
        phone: `+1415555${String(i).padStart(4, '0')}`,
      });
    }
    await queue.enqueue(batch);
    const started = performance.now();
    let operations = 0;
    for (;;) {
      const claimed = await queue.claim('bench', 60_000);
      if (claimed === undefined) break;
      await queue.complete(claimed.contact.id, claimed.leaseToken);
      operations++;
    }
    const durationMs = performance.now() - started;
    return { opsPerSecond: Math.round((operations / durationMs) * 1000), operations, durationMs };
  } finally {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
