import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, stopAllClis } from '../support/cli-process.ts';
import { createWorkspace, type Workspace } from './harness.ts';

const RECORDER = fileURLToPath(new URL('../support/record-modules.js', import.meta.url));

/** What the commands need and `--help` does not: each costs tens of ms to load. */
const HEAVY_PACKAGES = [
  'better-sqlite3',
  'fastify',
  'pino',
  'pino-pretty',
  'nodemailer',
  'prom-client',
  'zod',
  'csv-parse',
  'ioredis',
];

/** The packages (from node_modules) whose modules `call-agent <args>` loaded. */
async function packagesLoadedBy(ws: Workspace, args: string[]): Promise<string[]> {
  const file = ws.path(`modules-${args.join('')}.txt`);
  const result = await runCli(args, {
    cwd: ws.dir,
    env: { NODE_OPTIONS: `--import ${RECORDER}`, RECORD_MODULES_TO: file },
    timeoutMs: 15_000,
  });
  expect(result.code, result.stderr).toBe(0);
  const urls = (await readFile(file, 'utf8')).split('\n');
  const names = urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]);
  return [...new Set(names.filter((name) => name !== undefined))];
}

/** `--help` and `--version` answer at once: no command's modules load before a command runs. */
describe('call-agent: start-up', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await createWorkspace();
  });
  afterAll(async () => {
    await stopAllClis();
    await ws?.cleanup();
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const result = await runCli(['--version'], { cwd: ws.dir, timeoutMs: 15_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
  });

  it.each([
    { args: ['--help'] },
    { args: ['--version'] },
    { args: ['run', '--help'] },
    { args: ['worker', '--help'] },
  ])('$args loads commander and none of the heavy packages', async ({ args }) => {
    const loaded = await packagesLoadedBy(ws, args);
    // The recorder works: commander (the parser) is there.
    expect(loaded).toContain('commander');
    expect(loaded.filter((name) => HEAVY_PACKAGES.includes(name))).toEqual([]);
  });
});
