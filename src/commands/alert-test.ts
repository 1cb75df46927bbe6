import { alertChannelsFromEnv, sendTestAlert } from '../alerts/index.ts';
import type { Output } from '../redaction/output.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** `call-agent alert-test`: 0 when every configured channel delivered, 1 otherwise. */
export async function alertTest(env: Env, output: Output): Promise<number> {
  const channels = alertChannelsFromEnv(env);
  if (channels.length === 0) {
    output.err(
      'no alert channel is configured (set ALERT_WEBHOOK_URL, SMTP_URL + ALERT_EMAIL_FROM + ALERT_EMAIL_TO, or TELEGRAM_BOT_TOKEN + TELEGRAM_CHAT_ID)',
    );
    return 1;
  }
  const results = await sendTestAlert(channels);
  for (const result of results) {
    const detail = result.ok
      ? 'delivered'
      : `FAILED (${result.errorClass ?? 'error'}): ${result.error ?? ''}`;
    output.out(`${result.channel}: ${detail}`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}
