import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./plain-script.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the script in a child process on the real clock; resolves with its exit code and output. */
async function runScript(mode: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', SCRIPT, mode],
      { cwd: ROOT, env, timeout: 15_000, killSignal: 'SIGKILL' },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * A call in flight keeps a plain script alive (13 is Node's exit code for a top-level await
 * that never settled: the process ran out of work mid-call); once the call is done nothing
 * holds the process, and background work never does.
 */
describe('the system clock and the life of the process', () => {
  it('a script that makes one retry after a real backoff prints its answer and exits 0', async () => {
    const result = await runScript('retry');
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'answered after 1 retry\n' });
  });

  it("an attempt that never answers is ended by the attempt's deadline, and the script exits 0", async () => {
    const result = await runScript('attempt-timeout');
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'ended with E_TIMEOUT\n' });
  });

  it('a running health checker does not hold the process open', async () => {
    const result = await runScript('background');
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'health checker started\n' });
  });
});
