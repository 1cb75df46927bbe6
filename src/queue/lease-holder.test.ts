import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentHolder, isHolderAlive } from './lease-holder.ts';

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
});
