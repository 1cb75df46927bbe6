import type { Clock } from '../resilience/index.ts';
import { SEVERITIES, type Severity } from './alert.ts';
import type { AlertChannel } from './channels/channel.ts';
import { EmailChannel } from './channels/email-channel.ts';
import { webhookSigningKey } from './channels/standard-webhooks.ts';
import { TelegramChannel } from './channels/telegram-channel.ts';
import { WebhookChannel } from './channels/webhook-channel.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A channel configured by halves, or with a value that cannot work. Names variables, never values. */
export class AlertConfigError extends Error {
  readonly variables: readonly string[];
  constructor(message: string, variables: readonly string[]) {
    super(message);
    this.name = 'AlertConfigError';
    this.variables = variables;
  }
}

export interface AlertChannelDependencies {
  clock?: Clock;
  fetch?: typeof fetch;
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Every listed variable or none: otherwise an error naming the missing ones. */
function group(env: Env, channel: string, names: readonly string[]): string[] | undefined {
  const values = names.map((name) => read(env, name));
  const set = names.filter((_, i) => values[i] !== undefined);
  if (set.length === 0) return undefined;
  const missing = names.filter((_, i) => values[i] === undefined);
  if (missing.length > 0) {
    throw new AlertConfigError(
      `${channel} alerts are half-configured: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set)`,
      missing,
    );
  }
  return values as string[];
}

function url(env: Env, name: string, protocols: readonly string[]): string {
  const value = read(env, name)!;
  if (!URL.canParse(value) || !protocols.includes(new URL(value).protocol)) {
    throw new AlertConfigError(`${name} must be a ${protocols.join(' or ')} URL`, [name]);
  }
  return value;
}

function minSeverity(env: Env, name: string): Severity | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw new AlertConfigError(`${name} must be one of ${SEVERITIES.join(', ')}`, [name]);
  }
  return value as Severity;
}

/**
 * The alert channels the environment configures. A channel whose variables are all absent
 * is not configured; one with only some of them is an AlertConfigError naming the missing.
 *
 * - webhook: ALERT_WEBHOOK_URL, optional ALERT_WEBHOOK_SECRET (`whsec_…`),
 *   ALERT_WEBHOOK_MIN_SEVERITY;
 * - email: SMTP_URL, ALERT_EMAIL_FROM, ALERT_EMAIL_TO, ALERT_EMAIL_MIN_SEVERITY;
 * - Telegram: TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID, TELEGRAM_API_BASE_URL,
 *   ALERT_TELEGRAM_MIN_SEVERITY.
 */
export function alertChannelsFromEnv(
  env: Env,
  dependencies: AlertChannelDependencies = {},
): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const { clock, fetch } = dependencies;

  const secret = read(env, 'ALERT_WEBHOOK_SECRET');
  if (read(env, 'ALERT_WEBHOOK_URL') === undefined && secret !== undefined) {
    throw new AlertConfigError(
      'webhook alerts are half-configured: ALERT_WEBHOOK_URL is missing (ALERT_WEBHOOK_SECRET is set)',
      ['ALERT_WEBHOOK_URL'],
    );
  }
  if (read(env, 'ALERT_WEBHOOK_URL') !== undefined) {
    if (secret !== undefined) {
      try {
        webhookSigningKey(secret);
      } catch (error) {
        throw new AlertConfigError((error as Error).message, ['ALERT_WEBHOOK_SECRET']);
      }
    }
    channels.push(
      new WebhookChannel({
        url: url(env, 'ALERT_WEBHOOK_URL', ['http:', 'https:']),
        secret,
        minSeverity: minSeverity(env, 'ALERT_WEBHOOK_MIN_SEVERITY'),
        ...(clock && { clock }),
        ...(fetch && { fetch }),
      }),
    );
  }

  const email = group(env, 'email', ['SMTP_URL', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO']);
  if (email) {
    channels.push(
      new EmailChannel({
        smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
        from: email[1]!,
        to: email[2]!,
        minSeverity: minSeverity(env, 'ALERT_EMAIL_MIN_SEVERITY'),
      }),
    );
  }

  const telegram = group(env, 'Telegram', ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID']);
  if (telegram) {
    const base = read(env, 'TELEGRAM_API_BASE_URL');
    channels.push(
      new TelegramChannel({
        botToken: telegram[0]!,
        chatId: telegram[1]!,
        ...(base && { apiBaseUrl: url(env, 'TELEGRAM_API_BASE_URL', ['http:', 'https:']) }),
        minSeverity: minSeverity(env, 'ALERT_TELEGRAM_MIN_SEVERITY'),
        ...(fetch && { fetch }),
      }),
    );
  }
  return channels;
}
