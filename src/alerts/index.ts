/** Alerts: the alert manager (rules, dedupe, throttle) and its channels (webhook, email, Telegram). */
export {
  SEVERITIES,
  atLeast,
  alertText,
  alertTitle,
  type Alert,
  type AlertInput,
  type AlertKind,
  type Severity,
} from './alert.ts';
export { alertForFailure, alertForStateChange } from './alert-rules.ts';
export { HealthWatch } from './health-watch.ts';
export {
  AlertManager,
  alertManagerDefaults,
  type AlertManagerOptions,
  type AlertSource,
} from './alert-manager.ts';
export type { AlertLog, ChannelStats } from './channel-runner.ts';
export { channelPolicy } from './channel-policy.ts';
export type { AlertChannel } from './channels/channel.ts';
export {
  WebhookChannel,
  webhookPayload,
  type WebhookChannelOptions,
} from './channels/webhook-channel.ts';
export { signWebhook, webhookSigningKey } from './channels/standard-webhooks.ts';
export { EmailChannel, type EmailChannelOptions } from './channels/email-channel.ts';
export { TelegramChannel, type TelegramChannelOptions } from './channels/telegram-channel.ts';
export { PrintedAlertChannel } from './channels/printed-channel.ts';
export {
  alertChannelsFromEnv,
  AlertConfigError,
  type AlertChannelDependencies,
} from './channels-from-env.ts';
export { sendTestAlert, type TestAlertOptions, type TestAlertResult } from './send-test-alert.ts';
