import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { PermanentServiceError, TransientServiceError } from '../../resilience/index.ts';
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

/**
 * SMTP's verdict: a 4yz reply (421, 450, 451, 452) or a connection error is transient; a
 * 5yz reply (535 auth, 550, 553, 554) is permanent.
 */
export function classifySmtpError(error: unknown): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    responseCode?: unknown;
    code?: unknown;
    response?: unknown;
  };
  const service = 'Email';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply =
    typeof e.response === 'string' ? e.response.split('\n')[0]?.slice(0, 200) : undefined;
  if (responseCode !== undefined && responseCode >= 500) {
    return new PermanentServiceError(`Email: SMTP ${reply ?? responseCode}`, {
      service,
      status: responseCode,
      scope: 'service',
    });
  }
  if (responseCode !== undefined) {
    return new TransientServiceError(`Email: SMTP ${reply ?? responseCode}`, {
      service,
      status: responseCode,
    });
  }
  const code = typeof e.code === 'string' ? e.code : 'connection error';
  return new TransientServiceError(`Email: ${code}`, { service, providerCode: code });
}

/** Sends alerts as plain-text e-mail through SMTP (nodemailer). */
export class EmailChannel implements AlertChannel {
  readonly name = 'email';
  readonly minSeverity: Severity;
  readonly secrets: readonly string[];
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #to: string;

  constructor(options: EmailChannelOptions) {
    const url = new URL(options.smtpUrl);
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      secure: url.protocol === 'smtps:',
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
      throw classifySmtpError(error);
    }
  }

  close(): void {
    this.#transport.close();
  }
}
