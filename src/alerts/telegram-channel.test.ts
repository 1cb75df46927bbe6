import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, isPermanentError, isTransientError } from '../resilience/index.ts';
import type { Alert } from './alert.ts';
import { AlertManager } from './alert-manager.ts';
import { channelPolicy } from './channel-policy.ts';
import { TelegramChannel } from './channels/telegram-channel.ts';
import { WebhookChannel } from './channels/webhook-channel.ts';
import {
  nextRetry,
  startLoopbackServer,
  type LoopbackServer,
} from './loopback-servers.test-support.ts';
import { sendTestAlert } from './send-test-alert.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

let servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function server(clock: VirtualClock, replies: Parameters<typeof startLoopbackServer>[1]) {
  const started = await startLoopbackServer(clock, replies);
  servers.push(started);
  return started;
}

const alert = (clock: VirtualClock): Alert => ({
  id: 'alert_1',
  kind: 'circuit_opened',
  severity: 'critical',
  service: 'HubSpot',
  errorType: 'transient',
  message: 'Circuit OPEN (failure_threshold): 503',
  timestamp: clock.now(),
  count: 1,
  summary: false,
  windowMs: 300_000,
});

describe('TelegramChannel', () => {
  it('waits exactly retry_after after a 429, then sends', async () => {
    const clock = new VirtualClock();
    const api = await server(clock, [
      {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 3',
          parameters: { retry_after: 3 },
        },
      },
      { status: 200, body: { ok: true, result: { message_id: 1 } } },
    ]);
    const policy = channelPolicy('telegram', clock);
    const manager = new AlertManager({
      channels: [
        new TelegramChannel({ botToken: TOKEN, chatId: '-1001', apiBaseUrl: `${api.url}/tg` }),
      ],
      clock,
      policyFor: () => policy,
      log: () => {},
    });
    const retry = nextRetry(policy);
    manager.raise({
      kind: 'circuit_opened',
      severity: 'critical',
      service: 'HubSpot',
      message: 'Circuit OPEN',
    });
    const { delayMs } = await retry;
    expect(delayMs).toBe(3_000);
    await clock.advance(3_000);
    await api.received(2);
    await manager.idle();
    const [first, second] = api.requests;
    expect(second!.at - first!.at).toBe(3_000);
    expect(first!.path).toBe(`/tg/bot${TOKEN}/sendMessage`);
    expect(JSON.parse(second!.body)).toMatchObject({
      chat_id: '-1001',
      text: expect.stringContaining('[CRITICAL] HubSpot: circuit opened'),
    });
    expect(manager.stats()['telegram']).toMatchObject({ sent: 1, failed: 0 });
  });

  it('treats "chat not found" and "bot was blocked" as permanent, with no token in the error', async () => {
    const clock = new VirtualClock();
    const api = await server(clock, [
      {
        status: 400,
        body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
      },
      {
        status: 403,
        body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      },
    ]);
    const channel = new TelegramChannel({ botToken: TOKEN, chatId: '42', apiBaseUrl: api.url });
    for (const expected of ['chat not found', 'bot was blocked']) {
      const error = await channel
        .send(alert(clock), new AbortController().signal)
        .catch((e: unknown) => e);
      expect(isPermanentError(error)).toBe(true);
      expect((error as { scope?: string }).scope).toBe('service');
      expect((error as Error).message).toContain(expected);
      expect((error as Error).message).not.toContain(TOKEN.split(':')[1]);
    }
  });

  it('never puts the token in a logged failure or a test-alert result', async () => {
    const clock = new VirtualClock();
    const api = await server(clock, []);
    const base = api.url;
    await api.close();
    servers = [];
    const logs: string[] = [];
    const channel = new TelegramChannel({ botToken: TOKEN, chatId: '42', apiBaseUrl: base });
    const refused = await channel
      .send(alert(clock), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isTransientError(refused)).toBe(true);

    const manager = new AlertManager({
      channels: [channel],
      clock,
      log: (_level, message) => logs.push(message),
    });
    manager.raise({
      kind: 'permanent_failure',
      severity: 'critical',
      service: 'OpenAI',
      message: `token ${TOKEN} leaked?`,
    });
    await clock.runUntil(() => manager.stats()['telegram']!.failed === 1, 100);
    await manager.idle();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(TOKEN.split(':')[1]);

    const results = await sendTestAlert([channel], { clock });
    expect(results).toEqual([
      { channel: 'telegram', ok: false, error: expect.any(String), errorClass: 'transient' },
    ]);
    expect(JSON.stringify(results)).not.toContain(TOKEN.split(':')[1]);
  });

  it('sendTestAlert reports each channel', async () => {
    const clock = new VirtualClock();
    const hook = await server(clock, [{ status: 200, body: {} }]);
    const api = await server(clock, [
      {
        status: 403,
        body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      },
    ]);
    const results = await sendTestAlert(
      [
        new WebhookChannel({ url: hook.url, clock }),
        new TelegramChannel({ botToken: TOKEN, chatId: '42', apiBaseUrl: api.url }),
      ],
      { clock },
    );
    expect(results).toEqual([
      { channel: 'webhook', ok: true },
      {
        channel: 'telegram',
        ok: false,
        error: 'Telegram: HTTP 403 Forbidden: bot was blocked by the user',
        errorClass: 'permanent/service',
      },
    ]);
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ type: 'test', severity: 'info' });
  });
});
