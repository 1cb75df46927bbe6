import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { classifySmtpError } from '../../http-errors/classify-smtp.ts';
import { alertText, alertTitle, type Alert, type Severity } from '../alert.ts';
import type { AlertChannel } from './channel.ts';

export interface EmailChannelOptions {
  /** SMTP_URL, e.g. `smtps://user:pass@smtp.example.com:465`. */
  smtpUrl: string;
  /** ALERT_EMAIL_FROM. */
  from: string;
  /** ALERT_EMAIL_TO; several addresses separated by commas. */
  to: string;
  minSeverity?: Severity;
}

/** Safety nets on nodemailer's own (real-time) socket timers; the policy's deadline comes first. */
const socketTimeouts = {
  connectionTimeout: 15_000,
  greetingTimeout: 15_000,
  socketTimeout: 30_000,
};

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Sends alerts as plain-text e-mail through SMTP (nodemailer). */
export class EmailChannel implements AlertChannel {
  readonly name = 'email';
  readonly minSeverity: Severity;
  readonly secrets: readonly string[];
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #to: string;
  /** `host:port`, named in failures. */
  readonly #server: string;

  constructor(options: EmailChannelOptions) {
    const url = new URL(options.smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.#server = `${url.hostname}:${url.port || (secure ? 465 : 587)}`;
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      secure,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      ...socketTimeouts,
    });
    this.#from = options.from;
    this.#to = options.to;
    this.minSeverity = options.minSeverity ?? 'info';
    const password = decodeURIComponent(url.password);
    this.secrets = [options.smtpUrl, ...(password ? [password, url.password] : [])];
  }

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    const text = [
      alertText(alert),
      '',
      `service:    ${alert.service}`,
      `type:       ${alert.kind}`,
      `severity:   ${alert.severity}`,
      `error type: ${alert.errorType ?? '-'}`,
      `count:      ${alert.count}`,
      `time:       ${new Date(alert.timestamp).toISOString()}`,
      `id:         ${alert.id}`,
    ].join('\n');
    try {
      await untilAborted(
        this.#transport.sendMail({
          from: this.#from,
          to: this.#to,
          subject: `[call-agent] ${alertTitle(alert)}`,
          text,
          messageId: `<${alert.id}@call-agent>`,
        }),
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw classifySmtpError('Email', error, { server: this.#server, secrets: this.secrets });
    }
  }

  close(): void {
    this.#transport.close();
  }
}
