import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteCallQueue, type LeaseHolder } from '../queue/index.ts';
import { VirtualClock } from '../resilience/index.ts';
import { recoverLeases } from './lease-recovery.ts';

const dir = mkdtempSync(join(tmpdir(), 'lease-recovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const contact = (n: number) => ({ id: `c${n}`, name: `C ${n}`, phone: `+1415555${1000 + n}` });

/** A process of this host that has exited: its pid names nobody now. */
function deadProcess(): LeaseHolder {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return { host: hostname(), pid, started: 'ms:1' };
}

async function runningProcess(): Promise<{ holder: LeaseHolder; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  await new Promise((resolve) => child.once('spawn', resolve));
  return { child, holder: { host: hostname(), pid: child.pid!, started: 'ms:1' } };
}

describe('lease recovery', () => {
  it('hands back at once what a dead process of this host held, and only that', async () => {
    const path = join(dir, 'queue.db');
    const clock = new VirtualClock();
    const dead = deadProcess();
    const { holder: alive, child } = await runningProcess();
    const remote = { host: 'another-host', pid: 77, started: 'ms:1' };
    const as = (holder: LeaseHolder) => new SqliteCallQueue({ path, clock, holder });
    const queues = [as(dead), as(alive), as(remote)];
    const [ofDead, ofAlive, ofRemote] = queues;
    try {
      await ofDead!.enqueue(Array.from({ length: 6 }, (_, i) => contact(i + 1)));
      await ofDead!.claim('w', 30_000);
      await ofDead!.claim('w', 30_000);
      await ofAlive!.claim('w', 30_000);
      await ofRemote!.claim('w', 60_000);

      const found = await recoverLeases(ofAlive!, { self: { ...alive, pid: process.pid } });

      expect(found.reclaimed).toEqual([{ pid: dead.pid, contacts: 2 }]);
      expect(found.waiting).toEqual([
        { holder: alive, contacts: 1, expiresAt: clock.now() + 30_000, why: 'running' },
        { holder: remote, contacts: 1, expiresAt: clock.now() + 60_000, why: 'other_host' },
      ]);
      // due now, before anything pending: they were first in line
      expect((await ofAlive!.claim('w', 30_000))?.contact.id).toBe('c1');
      expect((await ofAlive!.claim('w', 30_000))?.contact.id).toBe('c2');
      expect((await ofAlive!.claim('w', 30_000))?.contact.id).toBe('c5');
    } finally {
      child.kill('SIGKILL');
      await Promise.all(queues.map((queue) => queue.close()));
    }
  });

  it("waits for a holder it cannot check: another container's process on the same host name", async () => {
    const clock = new VirtualClock();
    const container = { host: hostname(), pid: 1, started: 'linux:boot:4026532999:100' };
    const queue = new SqliteCallQueue({ path: ':memory:', clock, holder: container });
    try {
      await queue.enqueue([contact(1)]);
      await queue.claim('w', 30_000);
      const found = await recoverLeases(queue, {
        self: { host: hostname(), pid: process.pid, started: 'linux:boot:4026531836:5' },
        isAlive: () => false, // pid 1 here is not its pid 1
      });
      expect(found).toEqual({
        reclaimed: [],
        waiting: [
          {
            holder: container,
            contacts: 1,
            expiresAt: clock.now() + 30_000,
            why: 'other_namespace',
          },
        ],
      });
    } finally {
      await queue.close();
    }
  });

  it('leaves its own leases alone', async () => {
    const clock = new VirtualClock();
    const self = { host: hostname(), pid: process.pid, started: 'ms:1' };
    const queue = new SqliteCallQueue({ path: ':memory:', clock, holder: self });
    try {
      await queue.enqueue([contact(1)]);
      await queue.claim('w', 30_000);
      expect(await recoverLeases(queue, { self, isAlive: () => false })).toEqual({
        reclaimed: [],
        waiting: [],
      });
      expect(await queue.claim('w', 30_000)).toBeUndefined();
    } finally {
      await queue.close();
    }
  });
});
