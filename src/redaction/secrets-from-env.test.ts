import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.ts';
import { secretsFromEnv } from './secrets-from-env.ts';

describe('secretsFromEnv', () => {
  const env = {
    OPENAI_API_KEY: 'sk-x',
    ELEVENLABS_API_KEY: 'el-key',
    TWILIO_ACCOUNT_SID: 'AC123',
    TWILIO_AUTH_TOKEN: 'twtok',
    HUBSPOT_ACCESS_TOKEN: 'hub',
    TELEGRAM_BOT_TOKEN: '12:ab',
    ALERT_WEBHOOK_SECRET: 'whsec_c2VjcmV0',
    ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXsecret?x=1',
    SMTP_URL: 'smtps://alerts:p%40ss@mail.example.com:465',
    PATH: '/usr/bin',
  };
  const redact = createRedactor(secretsFromEnv(env));

  it('masks every key and token, short or not', () => {
    for (const name of [
      'OPENAI_API_KEY',
      'ELEVENLABS_API_KEY',
      'TWILIO_AUTH_TOKEN',
      'HUBSPOT_ACCESS_TOKEN',
      'TELEGRAM_BOT_TOKEN',
      'ALERT_WEBHOOK_SECRET',
    ] as const) {
      expect(redact(`value ${env[name]} here`), name).toBe('value [REDACTED] here');
    }
  });

  it("masks the webhook URL's path (Slack's and Discord's secret) even alone", () => {
    expect(redact('POST /services/T000/B000/XXXXsecret?x=1 → 404')).not.toContain('XXXXsecret');
    expect(redact('no_service at /services/T000/B000/XXXXsecret')).not.toContain('XXXXsecret');
    expect(redact(env.ALERT_WEBHOOK_URL)).not.toContain('XXXXsecret');
  });

  it('masks the SMTP password, as written in the URL and decoded, but not the host', () => {
    const out = redact('login p@ss failed (p%40ss) at mail.example.com:465');
    expect(out).not.toMatch(/p@ss|p%40ss/);
    expect(out).toContain('mail.example.com:465');
  });

  it("masks Twilio's basic-auth pair", () => {
    const basic = Buffer.from('AC123:twtok').toString('base64');
    expect(redact(`auth ${basic}`)).not.toContain(basic);
  });

  it('names no variable that is not a secret, and survives bad URLs and a root path', () => {
    expect(secretsFromEnv({ PATH: '/usr/bin', TWILIO_ACCOUNT_SID: 'AC123' })).toEqual([]);
    const odd = secretsFromEnv({ ALERT_WEBHOOK_URL: 'https://example.com/', SMTP_URL: 'nope' });
    expect(odd).not.toContain('/');
    expect(createRedactor(odd)('a/b')).toBe('a/b');
  });
});
