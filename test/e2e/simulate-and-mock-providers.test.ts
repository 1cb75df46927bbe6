import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, runCli, startCli, stopAllClis } from '../support/cli-process.ts';
import { createWorkspace, type Workspace } from './harness.ts';

type Line = Record<string, unknown>;

/** The three line shapes of the seed's README, by their seed fields. */
function seedShapes(lines: Line[]) {
  return {
    exhausted: lines.find(
      (l) =>
        l.level === 'ERROR' &&
        l.service === 'ElevenLabs' &&
        l.message === '503 Service Unavailable' &&
        l.retry_count === 3 &&
        l.circuit_state === 'CLOSED',
    ),
    skipped: lines.find(
      (l) =>
        l.level === 'WARNING' &&
        l.service === 'ElevenLabs' &&
        l.message === 'Circuit OPEN. Skipping call.' &&
        l.retry_count === null &&
        l.circuit_state === 'OPEN',
    ),
    succeeded: lines.find(
      (l) =>
        l.level === 'INFO' &&
        l.service === 'ElevenLabs' &&
        typeof l.message === 'string' &&
        /^Call successful for Contact-\d+$/.test(l.message) &&
        l.circuit_state === 'CLOSED',
    ),
  };
}

/** The commands a new user tries first: the simulation (`npm start`) and the mock providers. */
describe.concurrent('call-agent simulate and mock-providers', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await createWorkspace();
  });
  afterAll(async () => {
    await stopAllClis();
    await ws?.cleanup();
  }, 25_000);

  it('simulate --time virtual --log-format json tells the seed story and exits 0', async () => {
    const result = await runCli(['simulate', '--time', 'virtual', '--log-format', 'json'], {
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const raw = result.stdout.split('\n').filter((line) => line !== '');
    expect(result.lines).toHaveLength(raw.length);
    const { exhausted, skipped, succeeded } = seedShapes(result.lines);
    expect(exhausted).toBeDefined();
    expect(skipped).toBeDefined();
    expect(succeeded).toBeDefined();
    // Virtual time starts at the seed's own timestamp.
    expect(String(result.lines[0]!.timestamp)).toMatch(/^2026-01-29T18:17:/);
    expect(result.stderr).toMatch(/contacts\s+total\s+completed/);
    expect(result.stderr).toContain('ended: drained');
  }, 25_000);

  it("npm start's command (simulate) runs in virtual time and exits 0", async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node bin/call-agent.js simulate');
    const result = await runCli(['simulate', '--time', 'virtual'], {
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(result.code, result.stderr).toBe(0);
    // Not a terminal: JSON lines by default, the seed's shapes among them.
    const { exhausted, skipped, succeeded } = seedShapes(result.lines);
    expect([exhausted, skipped, succeeded].every(Boolean)).toBe(true);
  }, 25_000);

  it('mock-providers --port 0 prints usable export lines and stops on SIGTERM', async () => {
    const cli = startCli(['mock-providers', '--port', '0'], { cwd: ws.dir });
    await cli.waitForStdout((out) => out.includes('HUBSPOT_ACCESS_TOKEN='), 15_000);
    const exports = Object.fromEntries(
      [...cli.stdout().matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(exports)).toEqual(
      expect.arrayContaining([
        'OPENAI_BASE_URL',
        'OPENAI_API_KEY',
        'ELEVENLABS_BASE_URL',
        'ELEVENLABS_API_KEY',
        'ELEVENLABS_VOICE_ID',
        'TWILIO_BASE_URL',
        'TWILIO_ACCOUNT_SID',
        'TWILIO_AUTH_TOKEN',
        'TWILIO_FROM_NUMBER',
        'HUBSPOT_BASE_URL',
        'HUBSPOT_ACCESS_TOKEN',
      ]),
    );
    expect(exports.OPENAI_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openai\/v1$/);
    // the caller id is the mock's own number, printed whole: the lines work when pasted
    expect(exports.TWILIO_FROM_NUMBER).toBe('+15005550006');
    // The printed URL and key reach the mock OpenAI over real HTTP.
    const models = await fetch(`${exports.OPENAI_BASE_URL}/models`, {
      headers: { authorization: `Bearer ${exports.OPENAI_API_KEY}` },
    });
    expect(models.status).toBe(200);
    expect(((await models.json()) as { object: string }).object).toBe('list');

    cli.child.kill('SIGTERM');
    const result = await finished(cli, 10_000);
    expect(result.code).toBe(0);
  }, 25_000);
});
