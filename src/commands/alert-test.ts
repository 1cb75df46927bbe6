import { alertChannelsFromEnv, sendTestAlert } from '../alerts/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** `call-agent alert-test`: 0 when every configured channel delivered, 1 otherwise. */
export async function alertTest(env: Env): Promise<number> {
  const channels = alertChannelsFromEnv(env);
  if (channels.length === 0) {
    process.stderr.write(
      'no alert channel is configured (set ALERT_WEBHOOK_URL, SMTP_URL + ALERT_EMAIL_FROM + ALERT_EMAIL_TO, or TELEGRAM_BOT_TOKEN + TELEGRAM_CHAT_ID)\n',
    );
    return 1;
  }
  const results = await sendTestAlert(channels);
  for (const result of results) {
    const detail = result.ok
      ? 'delivered'
      : `FAILED (${result.errorClass ?? 'error'}): ${result.error ?? ''}`;
    process.stdout.write(`${result.channel}: ${detail}\n`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}
