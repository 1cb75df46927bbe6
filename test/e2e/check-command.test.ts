import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { contactsCsv, leakedSecrets, useWorkspaceAndMock } from './harness.ts';

/** `call-agent check`: a dry run that tells whether a real run could start. */
describe('call-agent check', () => {
  const e2e = useWorkspaceAndMock();

  /** Requests that did something at a provider (anything but a health probe or a look-up). */
  const writes = () => e2e.mock.mock.requests().filter((r) => r.method !== 'GET');

  it('checks the CSV, the configuration and every provider, and writes nothing', async () => {
    const { ws, mock } = e2e;
    await ws.write('contacts.csv', contactsCsv(2).csv);
    const before = mock.mock.requests().length;
    const result = await runCli(['check', 'contacts.csv'], {
      env: mock.env,
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      'ok    config: the defaults (no config file)',
      'ok    contacts.csv: 2 valid contacts, numbers without a country code read as US',
      'ok    provider settings: complete',
      'ok    OpenAI: answers',
      'ok    ElevenLabs: answers',
      'ok    Twilio: answers',
      'ok    HubSpot: answers',
      'warn  alerts: no channel configured',
      'ok    Google Sheets: not configured',
      'ok    queue: data/call-agent.db does not exist yet: the run creates it',
      'check: a run could start (no call was placed, nothing was queued)',
    ]);
    // one probe per provider, and nothing else
    expect(mock.mock.requests().length - before).toBe(4);
    expect(writes()).toEqual([]);
    expect(existsSync(ws.path('data'))).toBe(false);
    expect(leakedSecrets(result.stdout + result.stderr, mock.env)).toEqual([]);
  }, 30_000);

  it('probes the fallback voice that `tts_fallback` in the config file turns on, as `run` would use it', async () => {
    const { ws, mock } = e2e;
    await ws.write('contacts.csv', contactsCsv(1).csv);
    await ws.write('fallback.json', JSON.stringify({ tts_fallback: 'openai' }));
    const before = mock.mock.requests().length;
    const result = await runCli(['check', 'contacts.csv', '--config', 'fallback.json'], {
      env: mock.env,
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('ok    provider settings: complete, fallback voice OpenAI\n');
    expect(result.stdout).toContain('ok    OpenAI TTS: answers\n');
    // the four providers and the fallback voice, one probe each
    expect(mock.mock.requests().length - before).toBe(5);
  }, 30_000);

  it('fails on a missing or invalid variable, a provider that does not answer, and shows bad rows', async () => {
    const { ws, mock } = e2e;
    await ws.write('mixed.csv', 'name,phone\nAlice,+14155550111\nBob,12345\n');
    const { TWILIO_AUTH_TOKEN: _unset, ...env } = mock.env;
    const result = await runCli(['check', 'mixed.csv', '--db', 'q.db'], {
      env: { ...env, LOG_LEVEL: 'loud' },
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'warn  mixed.csv: 1 valid contact (1 row rejected), numbers without a country code read as US\n' +
        '        mixed.csv:3: invalid phone number "12345"\n',
    );
    expect(result.stdout).toContain('FAIL  provider settings: TWILIO_AUTH_TOKEN is not set');
    expect(result.stdout).toContain(
      'FAIL  invalid environment: LOG_LEVEL = "loud": expected one of "debug", "info", "warning", "error", "critical"',
    );
    expect(result.stdout).not.toContain(': answers'); // no probe without every setting
    expect(result.stdout).toMatch(/check: 2 problems: a run would not start as it is\n$/);

    // rejected rows alone do not stop a run: the good ones are called
    const rowsOnly = await runCli(['check', 'mixed.csv', '--db', 'q.db'], {
      env: mock.env,
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(rowsOnly.code, rowsOnly.stdout).toBe(0);

    mock.mock.setFaults({ elevenlabs: { probeScript: ['401'] } });
    const refused = await runCli(['check', 'mixed.csv', '--db', 'q.db'], {
      env: mock.env,
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    mock.mock.setFaults({ elevenlabs: null });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^FAIL {2}ElevenLabs: does not answer \(permanent\/service\): /m,
    );
    expect(refused.stdout).toContain('ok    Twilio: answers');
    expect(existsSync(ws.path('q.db'))).toBe(false);
    expect(writes()).toEqual([]);
  }, 45_000);

  it('fails on a file it cannot use and on an invalid configuration', async () => {
    const { ws, mock } = e2e;
    await ws.write('bad-config.json', JSON.stringify({ retry: { max_retries: -1 } }));
    await ws.write('no-phone.csv', 'name,email\nAlice,a@example.com\n');
    const result = await runCli(
      ['check', 'no-phone.csv', '--config', 'bad-config.json', '--db', 'q.db'],
      { env: mock.env, cwd: ws.dir, timeoutMs: 20_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  invalid configuration in bad-config.json:\n');
    expect(result.stdout).toContain('        retry.max_retries = -1: expected a whole number ≥ 0');
    expect(result.stdout).toMatch(/^FAIL {2}no-phone\.csv: .*phone/m);
    expect(result.stdout).toContain('check: 2 problems: a run would not start as it is');
  }, 30_000);
});
