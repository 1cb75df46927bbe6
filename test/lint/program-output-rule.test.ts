import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

const BYPASSES = [
  "process.stderr.write('x\\n');",
  "process.stdout.write('x\\n');",
  "console.error('x');",
  'const { stderr } = process; stderr.write("x");',
  "import { stdout } from 'node:process'; stdout.write('x');",
];

async function rulesHit(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('the lint rule that keeps every printed line on the redacted writer', () => {
  it.each(BYPASSES)('refuses %s in program code', async (code) => {
    const hit = await rulesHit(code, 'src/commands/example.ts');
    expect(
      hit.some((rule) =>
        ['no-console', 'no-restricted-properties', 'no-restricted-imports'].includes(rule),
      ),
    ).toBe(true);
  });

  it.each([
    'src/redaction/output.ts',
    'src/commands/example.test.ts',
    'src/agent/flow.test-support.ts',
    'test/e2e/example.ts',
    'bench/example.ts',
  ])('allows printing in %s', async (filePath) => {
    expect(await rulesHit("process.stderr.write('x');\nconsole.log('y');", filePath)).toEqual([]);
  });
});
