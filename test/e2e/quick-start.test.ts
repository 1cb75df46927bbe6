import { cp, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { createWorkspace, type Workspace } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The README's `npx call-agent run … --mock-providers` line, as its words after `npx call-agent`. */
async function readmeRunLine(): Promise<string[]> {
  const readme = await readFile(`${ROOT}README.md`, 'utf8');
  const line = /`npx call-agent (run [^`]*--mock-providers[^`]*)`/.exec(readme)?.[1];
  if (line === undefined)
    throw new Error('README.md has no `npx call-agent run … --mock-providers` line');
  return line.trim().split(/\s+/);
}

/** The README's quick start, as a new user types it in a fresh checkout: no variable set. */
describe('the README quick start', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await createWorkspace();
    await cp(`${ROOT}examples`, ws.path('examples'), { recursive: true });
  });
  afterAll(() => ws.cleanup());

  it('runs its `run --mock-providers` line as is on the example contacts, every contact called', async () => {
    const args = await readmeRunLine();
    expect(args).toEqual(['run', 'examples/contacts.csv', '--mock-providers']);
    const result = await runCli(args, { cwd: ws.dir, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'examples/contacts.csv: 5 queued (0 already in the queue, 0 rejected); queue: 5 in all',
    );
    expect(result.stderr).toMatch(/^ +5 +5 +0 +0 +0$/m); // total, completed, failed, deferred, pending
  }, 40_000);
});
