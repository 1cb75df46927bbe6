import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, isPermanentError, isTransientError } from '../resilience/index.ts';
import type { Alert } from './alert.ts';
import { AlertManager } from './alert-manager.ts';
import { channelPolicy } from './channel-policy.ts';
import { EmailChannel } from './channels/email-channel.ts';
import { nextRetry } from './loopback-servers.test-support.ts';

interface Mailbox {
  url: string;
  messages: string[];
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

const replyError = (code: number, text: string): Error =>
  Object.assign(new Error(text), { responseCode: code });

/** A real SMTP server on 127.0.0.1; `rcpt` / `data` may refuse with a reply code. */
async function startMailbox(
  hooks: {
    rcpt?: () => Error | undefined;
    data?: () => Error | undefined;
    /** Offer AUTH and check the login with this (default: no AUTH offered). */
    auth?: (username: string, password: string) => boolean;
  } = {},
): Promise<Mailbox> {
  const messages: string[] = [];
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const auth = hooks.auth;
  const options: SMTPServerOptions = {
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth?.(credentials.username ?? '', credentials.password ?? '')) {
        return callback(null, { user: credentials.username });
      }
      callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      callback(hooks.rcpt?.() ?? undefined);
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = hooks.data?.();
        if (refusal) return callback(refusal);
        messages.push(Buffer.concat(chunks).toString('utf8'));
        waiters = waiters.filter((w) => (w.count <= messages.length ? (w.resolve(), false) : true));
        callback();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    received: (count) =>
      new Promise((resolve) => {
        if (messages.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let mailbox: Mailbox | undefined;
let channel: EmailChannel | undefined;
afterEach(async () => {
  channel?.close();
  await mailbox?.close();
  mailbox = undefined;
  channel = undefined;
});

const alert = (): Alert => ({
  id: 'alert_42',
  kind: 'service_unhealthy',
  severity: 'critical',
  service: 'Twilio',
  errorType: 'transient',
  message: 'Unhealthy for 65 s (13 failed probes): 503 Service Unavailable',
  timestamp: Date.UTC(2026, 0, 29, 18, 17, 19),
  count: 1,
  summary: false,
  windowMs: 300_000,
});

const signal = () => new AbortController().signal;

describe('EmailChannel', () => {
  it('sends the alert as an e-mail the SMTP server receives', async () => {
    mailbox = await startMailbox();
    channel = new EmailChannel({
      smtpUrl: mailbox.url,
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    await channel.send(alert(), signal());
    await mailbox.received(1);
    const mail = mailbox.messages[0]!;
    expect(mail).toMatch(/^Subject: \[call-agent\] \[CRITICAL\] Twilio: service unhealthy$/m);
    expect(mail).toContain('To: oncall@example.com');
    expect(mail).toContain('503 Service Unavailable');
    expect(mail).toContain('time:       2026-01-29T18:17:19.000Z');
  });

  it('treats 4xx replies as transient and 5xx as permanent', async () => {
    const codes = [451, 550];
    mailbox = await startMailbox({
      rcpt: () => {
        const code = codes.shift();
        return code === undefined
          ? undefined
          : replyError(code, code === 451 ? 'Try again later' : 'No such user');
      },
    });
    channel = new EmailChannel({
      smtpUrl: mailbox.url,
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const first = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect(isTransientError(first)).toBe(true);
    expect((first as { providerCode?: string }).providerCode).toBe('451');
    const second = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect(isPermanentError(second)).toBe(true);
    expect((second as { providerCode?: string }).providerCode).toBe('550');
  });

  it('retries a 452 at DATA through the channel policy and delivers', async () => {
    let refusals = 1;
    mailbox = await startMailbox({
      data: () => (refusals-- > 0 ? replyError(452, 'Insufficient storage') : undefined),
    });
    channel = new EmailChannel({
      smtpUrl: mailbox.url,
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const clock = new VirtualClock();
    const policy = channelPolicy('email', clock);
    const manager = new AlertManager({
      channels: [channel],
      clock,
      policyFor: () => policy,
      log: () => {},
    });
    const retry = nextRetry(policy);
    manager.raise({
      kind: 'retries_exhausted',
      severity: 'warning',
      service: 'OpenAI',
      message: '503 after 3 retries',
    });
    await clock.advance((await retry).delayMs);
    await mailbox.received(1);
    await manager.idle();
    expect(mailbox.messages[0]).toContain('[WARNING] OpenAI: retries exhausted');
    expect(manager.stats()['email']).toMatchObject({ sent: 1, failed: 0 });
  });

  it('treats a refused connection as transient and keeps the password out of errors', async () => {
    mailbox = await startMailbox();
    const url = mailbox.url.replace('smtp://', 'smtp://alerts:s3cret-pass-word@');
    await mailbox.close();
    mailbox = undefined;
    channel = new EmailChannel({
      smtpUrl: url,
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const error = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect(isTransientError(error)).toBe(true);
    expect((error as Error).message).not.toContain('s3cret');
    expect(channel.secrets).toContain('s3cret-pass-word');
  });

  it('treats 552 (this message is too large) as about the message, not the server', async () => {
    mailbox = await startMailbox({ data: () => replyError(552, '5.3.4 Message too big') });
    channel = new EmailChannel({
      smtpUrl: mailbox.url,
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const error = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect((error as { errorClass?: string }).errorClass).toBe('permanent/request');
  });

  it('treats a login the configuration cannot make as permanent for the channel', async () => {
    mailbox = await startMailbox({ auth: () => false });
    // a user name without a password: nodemailer refuses to log in (EAUTH, no reply code)
    channel = new EmailChannel({
      smtpUrl: mailbox.url.replace('smtp://', 'smtp://alerts@'),
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const missing = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect((missing as { errorClass?: string }).errorClass).toBe('permanent/service');
    channel.close();
    channel = new EmailChannel({
      smtpUrl: mailbox.url.replace('smtp://', 'smtp://alerts:wrong-pass-word@'),
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const refused = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect((refused as { errorClass?: string }).errorClass).toBe('permanent/service');
    expect((refused as Error).message).not.toContain('wrong-pass-word');
  });

  it('names the SMTP host and port in a failure, never the password', async () => {
    mailbox = await startMailbox({ rcpt: () => replyError(550, '5.1.1 No such user') });
    const { host } = new URL(mailbox.url);
    channel = new EmailChannel({
      smtpUrl: mailbox.url.replace('smtp://', 'smtp://alerts:s3cret-pass-word@'),
      from: 'agent@example.com',
      to: 'oncall@example.com',
    });
    const refused = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(host);
    expect((refused as Error).message).toContain('550');
    await mailbox.close();
    mailbox = undefined;
    const unreachable = await channel.send(alert(), signal()).catch((e: unknown) => e);
    expect((unreachable as Error).message).toContain(host);
    expect(JSON.stringify([refused, unreachable].map((e) => (e as Error).message))).not.toContain(
      's3cret',
    );
  });
});
