import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { canCheckHolder, currentHolder, isHolderAlive, localHolder } from './lease-holder.ts';

describe('lease holders', () => {
  it('names this process by host, pid and start', () => {
    const self = currentHolder();
    expect(self).toMatchObject({ host: hostname(), pid: process.pid });
    expect(self.started).toMatch(/^(linux:.+:\d+|ms:\d+)$/);
    expect(isHolderAlive(self)).toBe(true);
  });

  it('knows a process that has exited is gone', () => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    expect(pid).toBeGreaterThan(0);
    expect(isHolderAlive({ host: hostname(), pid, started: 'ms:0' })).toBe(false);
  });

  it.runIf(process.platform === 'linux')(
    'does not take a later process given the same pid for the holder',
    () => {
      const self = currentHolder();
      const reused = { ...self, started: self.started.replace(/\d+$/, (t) => `${Number(t) + 1}`) };
      expect(isHolderAlive(reused)).toBe(false);
    },
  );

  it('knows a running child process is alive', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(isHolderAlive({ host: hostname(), pid: child.pid!, started: 'ms:0' })).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.runIf(process.platform === 'linux')(
    'knows a holder that exited but was not reaped (a zombie) is gone',
    async () => {
      // `sleep 0.5` exits soon; by then its parent has become `sleep 5`, which never reaps it
      // (`sleep 0` could exit before bash's exec on a busy machine, and bash would reap it)
      const child = spawn('bash', ['-c', 'sleep 0.5 & echo $!; exec sleep 5']);
      try {
        const pid = await new Promise<number>((resolve) =>
          child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
        );
        let zombie = localHolder(pid);
        for (let i = 0; i < 400 && zombie && isHolderAlive(zombie); i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          zombie = localHolder(pid);
        }
        expect(zombie).toBeDefined();
        expect(isHolderAlive(zombie!)).toBe(false);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it.runIf(process.platform === 'linux')(
    'cannot vouch for a holder of another pid namespace (another container, same host name)',
    () => {
      const self = currentHolder();
      const [linux, boot, namespace, ticks] = self.started.split(':');
      expect(canCheckHolder(self)).toBe(true);
      const inAContainer = {
        ...self,
        pid: 1,
        started: [linux, boot, `${Number(namespace) + 1}`, ticks].join(':'),
      };
      expect(canCheckHolder(inAContainer)).toBe(false);
      expect(
        canCheckHolder({ ...self, started: [linux, 'another-boot', namespace, ticks].join(':') }),
      ).toBe(false);
    },
  );
});
