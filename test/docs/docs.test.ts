import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { runMockProviders, type RunningMockProviders } from '../../src/providers/index.ts';
import { retryBudgetDefaults } from '../../src/resilience/retry-budget.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The first ```json block after `marker` in `text`. */
function jsonBlockAfter(text: string, marker: string): unknown {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no "${marker}" in the text`);
  const block = /```json\n([\s\S]*?)\n```/.exec(text.slice(at))?.[1];
  if (block === undefined) throw new Error(`no json block after "${marker}"`);
  return JSON.parse(block);
}

/** Every file under src/, relative to src/. */
function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : [relative(join(ROOT, 'src'), join(dir, entry.name))],
  );
}

describe('README: the configuration section', () => {
  const readme = read('README.md');

  it('shows the defaults as the block labelled so, and nothing else in it', () => {
    const shown = parseConfig(jsonBlockAfter(readme, 'these are the defaults:'));
    const defaults = parseConfig({});
    // the engine fills in the retry budget the configuration leaves empty
    const budget = {
      max_tokens: retryBudgetDefaults.maxTokens,
      token_ratio: retryBudgetDefaults.tokenRatio,
      refill_per_second: retryBudgetDefaults.refillPerSecond,
    };
    expect(shown).toEqual({ ...defaults, retry: { ...defaults.retry, budget } });
  });

  it('labels the per-service overrides as an example, and the example is valid', () => {
    const example = jsonBlockAfter(readme, 'an example of per-service overrides (not a default)');
    expect(parseConfig(example).services).not.toEqual(parseConfig({}).services);
  });
});

describe('docs/architecture.md', () => {
  const map = read('docs/architecture.md');
  const files = sourceFiles();

  it('names only files and folders that exist', () => {
    const named = [...map.matchAll(/`([\w./*-]+(?:\.ts|\/))`/g)].map((match) => match[1]!);
    expect(named.length).toBeGreaterThan(50);
    // a path from src/, or the end of one (a row names its layer's files by their own names)
    const exists = (name: string): boolean => {
      const path = name.replace(/^src\//, '').replace(/\/$/, '');
      const pattern = new RegExp(`(^|/)${path.replace(/\./g, '\\.').replace('*', '[^/]*')}(/|$)`);
      return files.some((file) => pattern.test(file));
    };
    expect(named.filter((name) => !exists(name))).toEqual([]);
  });

  it('is linked from the README, as are the example contacts; every relative link resolves', () => {
    const readme = read('README.md');
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links).toEqual(
      expect.arrayContaining(['docs/architecture.md', 'examples/contacts.csv']),
    );
    expect(links.filter((link) => !existsSync(join(ROOT, link.split('#')[0]!)))).toEqual([]);
  });
});

/** Each `curl … POST …/__faults … -d '<body>'` of the README, with the answer shown under it. */
function faultExamples(readme: string): Array<{ body: string; answer: string | undefined }> {
  const commands =
    /^\$ curl -s -X POST http:\/\/[^ ]+\/__faults [^\n]*?(?:\\\n[^\n]*?)?-d '([^']*)'\n(\{[^\n]*)?/gm;
  return [...readme.matchAll(commands)].map((match) => ({ body: match[1]!, answer: match[2] }));
}

/** The outage windows' times depend on when the body was posted. */
const withoutTimes = (answer: string): string => answer.replace(/"(from|to)":\d+/g, '"$1":<time>');

describe('README: the POST /__faults examples', () => {
  let mock: RunningMockProviders;
  beforeAll(async () => {
    mock = await runMockProviders({ port: 0 });
  });
  beforeEach(() => mock.mock.reset());
  afterAll(() => mock.close());

  it('get from the mock providers the answers the README shows, and change faults or not as it says', async () => {
    const examples = faultExamples(read('README.md'));
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const { body, answer } of examples) {
      mock.mock.reset();
      const response = await fetch(`${mock.origin}/__faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      if (answer !== undefined) expect(withoutTimes(text), body).toBe(withoutTimes(answer));
      const refused = answer?.startsWith('{"error"') === true;
      expect(response.status, body).toBe(refused ? 400 : 200);
      const set = Object.keys(mock.mock.faults).length > 0;
      expect(set, body).toBe(!refused);
    }
  });
});
