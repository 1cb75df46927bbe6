import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface PackageJson {
  name: string;
  version: string;
  engines: Record<string, string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}
interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
}

/** The environment of every child here: no loader (no tsx) inherited from the test runner. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs `file args` in `cwd`, killed (SIGKILL) after `timeoutMs`. */
async function exec(file: string, args: string[], cwd: string, timeoutMs: number) {
  return run(file, args, {
    cwd,
    env: plainEnv(),
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 16 << 20,
  });
}

/**
 * package.json and package-lock.json of an app that depends on the tarball alone. The lock
 * takes every production entry of the project's own lock, so `npm ci --offline` installs the
 * versions the project was tested with, from what its own `npm ci` put in the npm cache.
 */
async function writeApp(dir: string, pkg: PackageJson, tarball: string): Promise<void> {
  const spec = `file:${tarball}`;
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const production = Object.entries(lock.packages).filter(
    ([path, entry]) => path !== '' && entry.dev !== true && entry.devOptional !== true,
  );
  const app = { name: 'pack-test-app', private: true, dependencies: { [pkg.name]: spec } };
  const packages = {
    '': app,
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
    ...Object.fromEntries(production),
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(app));
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: app.name, lockfileVersion: 3, requires: true, packages }),
  );
}

/** Imports the engine by the package's name, from plain Node (no TypeScript loader). */
const ENGINE_SCRIPT = `
import { createServicePolicy, VirtualClock } from 'ai-call-agent-resilience/resilience';
import * as main from 'ai-call-agent-resilience';

const config = {
  retry: { max_retries: 1, initial_delay: 1, backoff_factor: 2 },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
};
const policy = createServicePolicy('Demo', config, { clock: new VirtualClock() });
const answer = await policy.execute(async () => 42);
console.log(JSON.stringify({ answer, sameEntry: main.createServicePolicy === createServicePolicy }));
`;

/** Type-checks against the shipped declarations: an error there is expected, so types are real. */
const TYPES_SCRIPT = `
import { createServicePolicy, systemClock } from 'ai-call-agent-resilience/resilience';

const retry = { max_retries: 1, initial_delay: 1, backoff_factor: 2 };
const circuit_breaker = { failure_threshold: 2, recovery_timeout: 10 };
const policy = createServicePolicy('Demo', { retry, circuit_breaker }, { clock: systemClock });
export const answer: number = await policy.execute(async () => 42);
// @ts-expect-error: circuit_breaker is required
createServicePolicy('Demo', { retry }, { clock: systemClock });
// @ts-expect-error: the breaker's permits are internal, not in the declarations
export { REJECTED } from 'ai-call-agent-resilience/resilience';
`;

/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the tarball
 * installed into an empty folder. The install is offline and skips install scripts:
 * better-sqlite3 would compile its addon (a minute), and neither the engine nor `--version`
 * loads it (test/e2e/startup.test.ts).
 */
describe('the packed package', () => {
  let dir: string;
  let pkg: PackageJson;
  let files: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'call-agent-pack-'));
    pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const packed = await exec('npm', ['pack', '--json', '--pack-destination', dir], ROOT, 90_000);
    const [report] = JSON.parse(packed.stdout) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    files = report!.files.map((file) => file.path);
    await writeApp(dir, pkg, report!.filename);
    const install = ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
    await exec('npm', install, dir, 90_000).catch((error: Error & { stderr?: string }) => {
      if (!error.stderr?.includes('ENOTCACHED')) throw error;
      throw new Error(
        `the npm cache lacks a package our lock names; \`npm ci\` fills it: ${error.stderr}`,
      );
    });
  }, 200_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the compiled CLI and engine with types and source maps, the dashboard and the LICENSE; no sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'bin/call-agent.js',
        'dist/cli.js',
        'dist/cli.js.map',
        'dist/resilience/index.js',
        'dist/resilience/index.d.ts',
        // the dashboard's static files, beside the server's compiled modules
        'dist/server/dashboard/index.html',
        'dist/server/dashboard/app.js',
      ]),
    );
    const unwanted = files.filter(
      (path) => /^(src|test|bench)\//.test(path) || /\.(test|test-support|contract)\./.test(path),
    );
    expect(unwanted).toEqual([]);
  });

  it('imports the engine from plain Node 20, by the package name and its ./resilience entry', async () => {
    await writeFile(join(dir, 'engine.mjs'), ENGINE_SCRIPT);
    const { stdout } = await exec(process.execPath, ['engine.mjs'], dir, 15_000);
    expect(JSON.parse(stdout)).toEqual({ answer: 42, sameEntry: true });
  });

  it("gives TypeScript users the engine's declarations", async () => {
    await writeFile(join(dir, 'types.mts'), TYPES_SCRIPT);
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022'];
    // skipLibCheck: the declarations are tsc's own output; this checks they are found and used.
    await exec(process.execPath, [TSC, ...args, '--skipLibCheck', 'types.mts'], dir, 60_000);
  });

  it("installs the bin, which prints the package's version", async () => {
    const bin = join(dir, 'node_modules/.bin/call-agent');
    const { stdout } = await exec(bin, ['--version'], dir, 15_000);
    expect(stdout).toBe(`${pkg.version}\n`);
  });
});
