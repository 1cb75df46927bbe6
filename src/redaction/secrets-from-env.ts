/**
 * The secret values the environment configures, and the forms they travel in, for the
 * redactor: what no line the program writes may contain.
 */
type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables whose values are secret as a whole. */
export const SECRET_VARIABLES = [
  'OPENAI_API_KEY',
  'ELEVENLABS_API_KEY',
  'TWILIO_AUTH_TOKEN',
  'HUBSPOT_ACCESS_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'ALERT_WEBHOOK_SECRET',
  'ALERT_WEBHOOK_URL',
  'SMTP_URL',
] as const;

function parseUrl(value: string | undefined): URL | undefined {
  return value !== undefined && URL.canParse(value) ? new URL(value) : undefined;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The values of SECRET_VARIABLES, plus: the path and query of ALERT_WEBHOOK_URL (the secret
 * part of a Slack or Discord URL, which a receiver may echo alone), the password of SMTP_URL
 * as written and decoded, and Twilio's basic-auth pair.
 */
export function secretsFromEnv(env: Env): string[] {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const secrets: Array<string | undefined> = SECRET_VARIABLES.map(value);
  const webhook = parseUrl(value('ALERT_WEBHOOK_URL'));
  if (webhook && webhook.pathname.length > 1) {
    secrets.push(webhook.pathname, webhook.pathname + webhook.search);
  }
  const smtp = parseUrl(value('SMTP_URL'));
  if (smtp?.password) secrets.push(smtp.password, decoded(smtp.password));
  const sid = value('TWILIO_ACCOUNT_SID');
  const token = value('TWILIO_AUTH_TOKEN');
  if (sid && token) secrets.push(Buffer.from(`${sid}:${token}`).toString('base64'));
  return [...new Set(secrets.filter((secret): secret is string => secret !== undefined))];
}
