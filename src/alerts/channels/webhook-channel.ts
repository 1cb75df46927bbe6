import { parseRetryAfter, systemClock, type Clock } from '../../resilience/index.ts';
import { alertText, type Alert, type Severity } from '../alert.ts';
import type { AlertChannel } from './channel.ts';
import { classifyNetworkError } from '../../http-errors/classify-network.ts';
import { httpStatusError } from '../../http-errors/http-errors.ts';
import { signWebhook, webhookSigningKey } from './standard-webhooks.ts';

export interface WebhookChannelOptions {
  /** ALERT_WEBHOOK_URL (a Slack incoming-webhook URL works as is). */
  url: string;
  /** ALERT_WEBHOOK_SECRET, `whsec_<base64>`; without it requests are not signed. */
  secret?: string | undefined;
  minSeverity?: Severity;
  clock?: Clock;
  fetch?: typeof fetch;
}

/** The JSON body: Slack shows `text`; other receivers read the fields. */
export function webhookPayload(alert: Alert): Record<string, unknown> {
  return {
    text: alertText(alert),
    id: alert.id,
    type: alert.kind,
    severity: alert.severity,
    service: alert.service,
    error_type: alert.errorType ?? null,
    message: alert.message,
    timestamp: new Date(alert.timestamp).toISOString(),
    count: alert.count,
  };
}

/**
 * POSTs alerts as JSON, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). The id stays the same on a retry, so a receiver can drop a repeat.
 */
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook';
  readonly minSeverity: Severity;
  readonly secrets: readonly string[];
  readonly #url: string;
  readonly #key: Buffer | undefined;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;

  constructor(options: WebhookChannelOptions) {
    this.#url = options.url;
    this.#key = options.secret ? webhookSigningKey(options.secret) : undefined;
    this.minSeverity = options.minSeverity ?? 'info';
    // the path is the secret of a Slack or Discord URL, and a receiver may echo it alone
    const { pathname } = new URL(options.url);
    this.secrets = [
      options.url,
      ...(pathname.length > 1 ? [pathname] : []),
      ...(options.secret ? [options.secret] : []),
    ];
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayload(alert));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#key) {
      const timestamp = Math.floor(this.#clock.now() / 1000);
      headers['webhook-id'] = alert.id;
      headers['webhook-timestamp'] = String(timestamp);
      headers['webhook-signature'] = signWebhook(this.#key, alert.id, timestamp, body);
    }
    let response: Response;
    try {
      response = await this.#fetch(this.#url, { method: 'POST', headers, body, signal });
    } catch (error) {
      throw signal.aborted ? signal.reason : classifyNetworkError('Webhook', error, this.secrets);
    }
    const detail = (await response.text().catch(() => '')).trim();
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#clock.now());
      throw httpStatusError('Webhook', response.status, detail, {
        retryAfterMs,
        secrets: this.secrets,
      });
    }
  }
}
