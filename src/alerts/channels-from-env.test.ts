import { describe, expect, it } from 'vitest';
import { AlertConfigError, alertChannelsFromEnv } from './channels-from-env.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('alertChannelsFromEnv', () => {
  it('configures nothing when no variable is set', () => {
    expect(alertChannelsFromEnv({})).toEqual([]);
    expect(alertChannelsFromEnv({ TELEGRAM_API_BASE_URL: 'http://127.0.0.1:1' })).toEqual([]);
  });

  it('builds every fully configured channel', () => {
    const channels = alertChannelsFromEnv({
      ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      ALERT_WEBHOOK_SECRET: SECRET,
      SMTP_URL: 'smtp://user:pass@127.0.0.1:2525',
      ALERT_EMAIL_FROM: 'agent@example.com',
      ALERT_EMAIL_TO: 'oncall@example.com',
      ALERT_EMAIL_MIN_SEVERITY: 'warning',
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_CHAT_ID: '-100',
    });
    expect(channels.map((c) => [c.name, c.minSeverity])).toEqual([
      ['webhook', 'info'],
      ['email', 'warning'],
      ['telegram', 'info'],
    ]);
    for (const channel of channels) channel.close?.();
  });

  it('names the missing variable of a half-configured channel, and no value', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [
        { SMTP_URL: 'smtp://u:topsecret@h:25', ALERT_EMAIL_FROM: 'a@b.c' },
        'ALERT_EMAIL_TO is missing',
      ],
      [{ ALERT_EMAIL_TO: 'a@b.c' }, 'SMTP_URL, ALERT_EMAIL_FROM are missing'],
      [{ TELEGRAM_BOT_TOKEN: '123:topsecret' }, 'TELEGRAM_CHAT_ID is missing'],
      [{ ALERT_WEBHOOK_SECRET: SECRET }, 'ALERT_WEBHOOK_URL is missing'],
    ];
    for (const [env, message] of cases) {
      let error: unknown;
      try {
        alertChannelsFromEnv(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AlertConfigError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain('topsecret');
    }
  });

  it('refuses values that cannot work', () => {
    expect(() => alertChannelsFromEnv({ ALERT_WEBHOOK_URL: 'not a url' })).toThrow(
      /ALERT_WEBHOOK_URL must be/,
    );
    expect(() =>
      alertChannelsFromEnv({
        ALERT_WEBHOOK_URL: 'https://x.test',
        ALERT_WEBHOOK_SECRET: 'whsec_!!',
      }),
    ).toThrow(/whsec_/);
    expect(() =>
      alertChannelsFromEnv({
        ALERT_WEBHOOK_URL: 'https://x.test',
        ALERT_WEBHOOK_MIN_SEVERITY: 'loud',
      }),
    ).toThrow(/ALERT_WEBHOOK_MIN_SEVERITY must be one of info, warning, critical/);
  });
});
