import { PermanentServiceError, TransientServiceError } from '../../resilience/index.ts';
import { alertText, type Alert, type Severity } from '../alert.ts';
import type { AlertChannel } from './channel.ts';
import { classifyNetworkError } from '../../http-errors/classify-network.ts';
import { httpStatusError } from '../../http-errors/http-errors.ts';

export interface TelegramChannelOptions {
  /** TELEGRAM_BOT_TOKEN. It is part of the URL path: never logged, never in an error. */
  botToken: string;
  /** TELEGRAM_CHAT_ID. */
  chatId: string;
  /** TELEGRAM_API_BASE_URL (default https://api.telegram.org); may carry a path prefix. */
  apiBaseUrl?: string;
  minSeverity?: Severity;
  fetch?: typeof fetch;
}

interface TelegramAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** Telegram refuses longer messages. */
const MAX_TEXT = 4096;

/**
 * Sends alerts with the Bot API's `sendMessage`. A 429 is retried after exactly
 * `parameters.retry_after` seconds; 400 "chat not found", 403 "bot was blocked" and 401
 * are permanent for the channel.
 */
export class TelegramChannel implements AlertChannel {
  readonly name = 'telegram';
  readonly minSeverity: Severity;
  readonly secrets: readonly string[];
  readonly #url: string;
  readonly #chatId: string;
  readonly #fetch: typeof fetch;

  constructor(options: TelegramChannelOptions) {
    const base = (options.apiBaseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
    this.#url = `${base}/bot${options.botToken}/sendMessage`;
    this.#chatId = options.chatId;
    this.minSeverity = options.minSeverity ?? 'info';
    this.secrets = [options.botToken];
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify({
      chat_id: this.#chatId,
      text: alertText(alert).slice(0, MAX_TEXT),
      disable_web_page_preview: true,
    });
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal,
      });
    } catch (error) {
      throw signal.aborted ? signal.reason : classifyNetworkError('Telegram', error, this.secrets);
    }
    let answer: TelegramAnswer = {};
    try {
      answer = (await response.json()) as TelegramAnswer;
    } catch {
      // a proxy's HTML error page: classify on the status alone
    }
    if (response.ok && answer.ok !== false) return;
    throw telegramError(response.status, answer, this.secrets);
  }
}

function telegramError(status: number, answer: TelegramAnswer, secrets: readonly string[]): Error {
  const code = answer.error_code ?? status;
  const description = answer.description ?? '';
  const service = 'Telegram';
  if (code === 429) {
    const retryAfter = answer.parameters?.retry_after;
    return new TransientServiceError(`Telegram: 429 ${description}`.trim(), {
      service,
      status: 429,
      retryAfterMs: typeof retryAfter === 'number' ? retryAfter * 1000 : undefined,
    });
  }
  const migrated = answer.parameters?.migrate_to_chat_id;
  if (migrated !== undefined) {
    return new PermanentServiceError(
      `Telegram: ${code} the group moved to chat ${migrated}: set TELEGRAM_CHAT_ID to it`,
      { service, status: code, scope: 'service' },
    );
  }
  return httpStatusError(service, code, description, { secrets });
}
