import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where the tests' CLI is compiled (see call-agent-built.js). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = '.test-build';

/**
 * vitest's global setup: compiles the CLI from src/ once per test run, as `npm run build`
 * does, so every end-to-end test runs the sources as they are now without paying tsx's
 * start-up (about half a second) in each of the CLI processes it starts.
 */
export default function buildCli(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      ...['-p', 'tsconfig.build.json', '--outDir', OUT, '--sourceMap', 'false'],
      ...['--inlineSources', 'false', '--incremental', '--tsBuildInfoFile', `${OUT}/.tsbuildinfo`],
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  cpSync(`${ROOT}src/server/dashboard`, `${ROOT}${OUT}/server/dashboard`, { recursive: true });
}
