import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, stopAllClis } from '../support/cli-process.ts';
import { contactsCsv, createWorkspace, leakedSecrets, SECRETS, type Workspace } from './harness.ts';

/** Provider variables pointing nowhere (nothing is contacted before the error). */
const PROVIDER_ENV = {
  ...SECRETS,
  OPENAI_BASE_URL: 'http://127.0.0.1:9/openai/v1',
  ELEVENLABS_BASE_URL: 'http://127.0.0.1:9/elevenlabs',
  ELEVENLABS_VOICE_ID: 'voice-e2e',
  TWILIO_BASE_URL: 'http://127.0.0.1:9/twilio',
  TWILIO_ACCOUNT_SID: 'AC11111111111111111111111111111111',
  TWILIO_FROM_NUMBER: '+15005550006',
  HUBSPOT_BASE_URL: 'http://127.0.0.1:9/hubspot',
};

/** What a user sees when the configuration, the environment or the command line is wrong. */
describe.concurrent('call-agent: configuration and usage errors', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await createWorkspace();
    await ws.write('contacts.csv', contactsCsv(2).csv);
    await ws.write('no-phone.csv', 'name,email\nAlice,alice@example.com\n');
    await ws.write('negative-retries.json', JSON.stringify({ retry: { max_retries: -1 } }));
    await ws.write('unknown-key.json', JSON.stringify({ retry: { max_retry: 3 } }));
    await ws.write('broken.json', '{ "retry": { "max_retries": 3, } ');
  });
  afterAll(async () => {
    await stopAllClis();
    await ws?.cleanup();
  });

  /** `call-agent run` in the workspace (so nothing lands in the repository). */
  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { env, cwd: ws.dir, timeoutMs: 25_000 });

  it('rejects a negative retry.max_retries, naming the key, the value and the expected form', async () => {
    const result = await run(
      ['run', 'contacts.csv', '--config', 'negative-retries.json', '--db', 'q1.db'],
      { ...PROVIDER_ENV, TWILIO_AUTH_TOKEN: 'unused' },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('negative-retries.json');
    expect(result.stderr).toContain('retry.max_retries = -1: expected a whole number ≥ 0');
    expect(result.stdout).toBe('');
  }, 30_000);

  it('rejects an unknown configuration key by name', async () => {
    const result = await run(['run', 'contacts.csv', '--config', 'unknown-key.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('retry.max_retry: unknown key');
  }, 30_000);

  it('rejects a configuration file that is not JSON', async () => {
    const result = await run(['run', 'contacts.csv', '--config', 'broken.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^call-agent: config file broken\.json is not valid JSON: .+/m);
  }, 30_000);

  it('names a missing provider variable and prints no secret value', async () => {
    const { TWILIO_AUTH_TOKEN: _omitted, ...env } = PROVIDER_ENV;
    const result = await run(['run', 'contacts.csv', '--db', 'q2.db'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TWILIO_AUTH_TOKEN is not set');
    expect(result.stderr).not.toMatch(/OPENAI_API_KEY|ELEVENLABS_API_KEY|HUBSPOT_ACCESS_TOKEN/);
    expect(leakedSecrets(result.stdout + result.stderr, PROVIDER_ENV)).toEqual([]);
  }, 30_000);

  it('names an invalid environment variable as such, in run and in simulate', async () => {
    const bogus = { ...PROVIDER_ENV, TWILIO_AUTH_TOKEN: 'unused', TTS_FALLBACK_PROVIDER: 'bogus' };
    const [ran, simulated] = await Promise.all([
      run(['run', 'contacts.csv', '--db', 'q3.db'], bogus),
      run(['simulate', '--time', 'virtual'], { TTS_FALLBACK_PROVIDER: 'bogus' }),
    ]);
    for (const result of [ran, simulated]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'invalid environment: TTS_FALLBACK_PROVIDER = "bogus": expected one of "none", "openai"',
      );
      expect(result.stderr).not.toContain('defaults');
    }
  }, 30_000);

  it('refuses Google Sheets without credentials in simulate as in run', async () => {
    const sheets = { GOOGLE_SHEETS_SPREADSHEET_ID: 'sheet-e2e' };
    const [ran, simulated] = await Promise.all([
      run(['run', 'contacts.csv', '--db', 'q4.db'], {
        ...PROVIDER_ENV,
        TWILIO_AUTH_TOKEN: 'unused',
        ...sheets,
      }),
      run(['simulate', '--time', 'virtual'], sheets),
    ]);
    for (const result of [ran, simulated]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'Google Sheets logging is half-configured: GOOGLE_APPLICATION_CREDENTIALS is missing',
      );
    }
    expect(simulated.stdout).toBe('');
  }, 30_000);

  it('exits 2 on bad usage: run without a file, an unknown flag', async () => {
    const [noFile, unknownFlag] = await Promise.all([
      run(['run']),
      run(['run', 'contacts.csv', '--no-such-flag']),
    ]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("missing required argument 'contacts.csv'");
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--no-such-flag'");
  }, 30_000);

  it('exits 1 with a clear message when the contacts file is missing or has no phone column', async () => {
    const [missing, noPhone] = await Promise.all([
      run(['run', 'nowhere.csv', '--mock-providers', '--db', 'q4.db']),
      run(['run', 'no-phone.csv', '--mock-providers', '--db', 'q5.db']),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read contacts file: .*nowhere\.csv/);
    expect(noPhone.code).toBe(1);
    expect(noPhone.stderr).toContain('no-phone.csv:1: the header row has no "phone" column');
  }, 30_000);
});
