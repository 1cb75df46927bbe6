import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // a worker keeps the modules it loaded for its next file: importing src/ again for each of
    // 166 files cost a fifth of the run (no test relies on fresh module state)
    isolate: false,
    // the CLI the end-to-end tests start, compiled once from src/
    globalSetup: ['test/support/build-cli.ts'],
    // vitest's default leaves one core free: on 2 cores the files would run one at a time
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
