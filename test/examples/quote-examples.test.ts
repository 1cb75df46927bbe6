import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFlakyQuoteServer,
  type FlakyQuoteServer,
  type QuoteAnswer,
} from '../support/flaky-quote-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WARM_FETCH = fileURLToPath(new URL('../support/warm-fetch.js', import.meta.url));
const EXAMPLES = ['ours', 'cockatiel', 'opossum'] as const;
type Example = (typeof EXAMPLES)[number];
const FALLBACK = 'No quote right now.';
/** The examples' time runs this many times faster: a run takes about four seconds, not eight (faster leaves a loaded machine too little time per attempt). */
const SPEED = '2';

/**
 * Call 1 meets a 503, a 429 with Retry-After, a hang (cut off by the 1 s attempt deadline)
 * and then a quote; calls 2 and 3 meet four 503s each and fail, which opens the circuit; from
 * then on the service answers.
 */
const SCRIPT: QuoteAnswer[] = ['503', '429', 'hang', 'quote', ...Array<QuoteAnswer>(8).fill('503')];

/** Lines of code: not blank, not only a comment (what the README's command counts). */
export const codeLines = (source: string): number =>
  source.split('\n').filter((line) => !/^\s*(\/\/.*|\/\*.*\*\/)?$/.test(line)).length;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  server: FlakyQuoteServer;
}

/** Runs one example as a user would (`node --import tsx file`) against its own flaky server. */
async function runExample(example: Example): Promise<Run> {
  const server = await startFlakyQuoteServer(SCRIPT);
  const env: NodeJS.ProcessEnv = { ...process.env, QUOTE_URL: server.url, SPEED };
  delete env.NODE_OPTIONS;
  const file = `examples/resilience/quote-${example}.ts`;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--import', WARM_FETCH, file],
      { cwd: ROOT, env, timeout: 15_000, killSignal: 'SIGKILL' },
    );
    return { code: 0, stdout, stderr, server };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: failed.code ?? -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      server,
    };
  }
}

describe('the quote examples against a flaky quote service', () => {
  const runs = new Map<Example, Run>();

  beforeAll(async () => {
    // side by side: each has its own server, and the three together take a few seconds
    const done = await Promise.all(EXAMPLES.map(runExample));
    EXAMPLES.forEach((example, i) => runs.set(example, done[i]!));
  }, 30_000);

  afterAll(async () => {
    await Promise.all([...runs.values()].map((run) => run.server.close()));
  });

  describe.each(EXAMPLES)('quote-%s.ts', (example) => {
    const run = (): Run => runs.get(example)!;
    const lines = (): string[] => run().stdout.trim().split('\n');
    const quotes = (): string[] =>
      lines()
        .filter((line) => line.startsWith('quote '))
        .map((line) => line.replace(/^quote \d+: /, ''));
    const states = (): string[] =>
      lines()
        .filter((line) => line.startsWith('circuit: '))
        .map((line) => line.replace(/^circuit: (\w+).*$/, '$1'));

    it('ends on its own with exit code 0, having printed ten answers', () => {
      expect(run().code, run().stderr).toBe(0);
      expect(quotes()).toHaveLength(10);
    });

    it('gets the first quote through a 503, a 429 and a hang, cancelling the hung request', () => {
      expect(quotes()[0]).toBe('quote-4');
      expect(run().server.requests.slice(0, 4)).toMatchObject([
        { answer: '503', abandoned: false },
        { answer: '429', abandoned: false },
        { answer: 'hang', abandoned: true },
        { answer: 'quote', abandoned: false },
      ]);
    });

    it('falls back after two failed calls, opens the circuit between them, and refuses the next', () => {
      expect(quotes().slice(1, 4)).toEqual([FALLBACK, FALLBACK, FALLBACK]);
      const output = lines();
      const opened = output.findIndex((line) => line.startsWith('circuit: OPEN'));
      expect(output[opened - 1]).toMatch(/^quote 2: /);
      expect(output[opened + 1]).toMatch(/^quote 3: /);
    });

    it('half-opens after the recovery time, and a trial call closes the circuit', () => {
      expect(states()).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
      expect(quotes().at(-1)).toMatch(/^quote-\d+$/);
    });

    it('sends nothing while the circuit is open: one request per answered call after it', () => {
      const answeredLater = quotes()
        .slice(1)
        .filter((quote) => quote !== FALLBACK).length;
      const seen = `${run().stdout}\n${JSON.stringify(run().server.requests)}`;
      expect(run().server.requests, seen).toHaveLength(SCRIPT.length + answeredLater);
    });
  });

  it('ours says why each transition happened, and a 503 from /health never closes the circuit', () => {
    const run = runs.get('ours')!;
    expect(run.stdout).toContain('circuit: OPEN (failure_threshold)');
    expect(run.stdout).toContain('circuit: HALF_OPEN (recovery_timeout)');
    expect(run.stdout).toContain('circuit: CLOSED (probe_succeeded)');
    expect(run.server.healthChecks).toBeGreaterThan(0);
    expect(run.stdout).not.toContain('health_check');
  });
});

describe("the README's library section", () => {
  it('shows quote-ours.ts as it is, and the line count of each example', async () => {
    const readme = await readFile(`${ROOT}/README.md`, 'utf8');
    const ours = await readFile(`${ROOT}/examples/resilience/quote-ours.ts`, 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${ours}\`\`\``);
    for (const example of EXAMPLES) {
      const file = `quote-${example}.ts`;
      const source = await readFile(`${ROOT}/examples/resilience/${file}`, 'utf8');
      const row = readme
        .split('\n')
        .find((line) => line.startsWith('|') && line.includes(`examples/resilience/${file}`));
      expect(row, file).toMatch(
        new RegExp(`\\| ${source.split('\n').length - 1} \\| ${codeLines(source)} \\|$`),
      );
    }
  });
});
