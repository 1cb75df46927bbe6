import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PermanentServiceError,
  VirtualClock,
  createServicePolicy,
  isPermanentError,
  isTransientError,
} from '../resilience/index.ts';
import { AlertManager } from './alert-manager.ts';
import { channelPolicy } from './channel-policy.ts';
import { WebhookChannel } from './channels/webhook-channel.ts';
import {
  nextRetry,
  startLoopbackServer,
  type LoopbackServer,
  type ReceivedRequest,
} from './loopback-servers.test-support.ts';

const KEY = Buffer.from('a-32-byte-signing-key-for-tests!');
const SECRET = `whsec_${KEY.toString('base64')}`;

/** Verifies a request the way the Standard Webhooks spec tells a receiver to. */
function verifyStandardWebhook(request: ReceivedRequest): boolean {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const expected = createHmac('sha256', KEY).update(`${id}.${timestamp}.${request.body}`).digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return (
        version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
      );
    });
}

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('WebhookChannel', () => {
  it('delivers a permanent failure at once, signed per Standard Webhooks, without a secret in it', async () => {
    const clock = new VirtualClock();
    server = await startLoopbackServer(clock);
    const logs: string[] = [];
    const manager = new AlertManager({
      channels: [new WebhookChannel({ url: `${server.url}/hook`, secret: SECRET, clock })],
      clock,
      log: (_level, message) => logs.push(message),
    });
    const policy = createServicePolicy(
      'ElevenLabs',
      {
        retry: { max_retries: 3, initial_delay: 5, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
      },
      { clock },
    );
    manager.attach(policy);
    const started = clock.now();
    await policy
      .execute(
        () =>
          Promise.reject(
            new PermanentServiceError(
              '401 invalid_api_key for xi-api-key: sk-live-0123456789 calling +14155550123',
              {
                service: 'ElevenLabs',
                scope: 'service',
              },
            ),
          ),
        { context: { contactId: 'Contact-1' } },
      )
      .catch(() => undefined);

    await server.received(1);
    expect(clock.now()).toBe(started); // no time had to pass: sent as soon as it was raised
    const [request] = server.requests;
    expect(request!.path).toBe('/hook');
    expect(verifyStandardWebhook(request!)).toBe(true);
    expect(Number(request!.headers['webhook-timestamp'])).toBe(Math.floor(started / 1000));
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: request!.headers['webhook-id'],
      type: 'permanent_failure',
      severity: 'critical',
      service: 'ElevenLabs',
      error_type: 'permanent/service',
      timestamp: new Date(started).toISOString(),
      count: 1,
    });
    expect(String(body['text'])).toMatch(
      /^\[CRITICAL\] ElevenLabs: permanent failure — 401 invalid_api_key/,
    );
    expect(request!.body).not.toContain('sk-live-0123456789');
    expect(request!.body).not.toContain('14155550123');
    expect(request!.body).toContain('+1415***0123');
    expect(server.requests).toHaveLength(1); // the breaker opening did not add a second alert
    await manager.close();
  });

  it('keeps the webhook-id on a retry and signs the new timestamp', async () => {
    const clock = new VirtualClock();
    server = await startLoopbackServer(clock, [
      { status: 503, body: {} },
      { status: 200, body: {} },
    ]);
    const channel = new WebhookChannel({ url: server.url, secret: SECRET, clock });
    const policy = channelPolicy('webhook', clock);
    const manager = new AlertManager({
      channels: [channel],
      clock,
      policyFor: () => policy,
      log: () => {},
    });
    const retry = nextRetry(policy);
    manager.raise({
      kind: 'circuit_opened',
      severity: 'critical',
      service: 'Twilio',
      message: 'Circuit OPEN',
    });
    const { delayMs } = await retry;
    await clock.advance(delayMs);
    await server.received(2);
    await manager.idle();
    const [first, second] = server.requests;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(verifyStandardWebhook(second!)).toBe(true);
    expect(manager.stats()['webhook']).toMatchObject({ sent: 1, failed: 0 });
  });

  it('classifies answers: 429 and 5xx transient, other 4xx permanent; errors carry no URL', async () => {
    const clock = new VirtualClock();
    server = await startLoopbackServer(clock, [
      { status: 429, body: {}, headers: { 'retry-after': '7' } },
      { status: 410, body: {} },
    ]);
    const url = `${server.url}/services/T000/B000/XXXXsecretpath`;
    const channel = new WebhookChannel({ url, clock });
    const alert = {
      id: 'alert_1',
      kind: 'test' as const,
      severity: 'info' as const,
      service: 'x',
      errorType: undefined,
      message: 'm',
      timestamp: clock.now(),
      count: 1,
      summary: false,
      windowMs: 0,
    };
    const first = await channel.send(alert, new AbortController().signal).catch((e: unknown) => e);
    expect(isTransientError(first)).toBe(true);
    expect((first as { retryAfterMs?: number }).retryAfterMs).toBe(7_000);
    const second = await channel.send(alert, new AbortController().signal).catch((e: unknown) => e);
    expect(isPermanentError(second)).toBe(true);
    expect(String((second as Error).message)).not.toContain('XXXXsecretpath');
    expect(server.requests[0]!.headers['webhook-signature']).toBeUndefined();
  });

  it('reads no wait from a negative Retry-After (one parser for every caller)', async () => {
    const clock = new VirtualClock();
    server = await startLoopbackServer(clock, [
      { status: 503, body: {}, headers: { 'retry-after': '-3' } },
    ]);
    const channel = new WebhookChannel({ url: `${server.url}/hook`, clock });
    const error = await channel
      .send(
        {
          id: 'alert_1',
          kind: 'test',
          severity: 'info',
          service: 'x',
          errorType: undefined,
          message: 'm',
          timestamp: clock.now(),
          count: 1,
          summary: false,
          windowMs: 0,
        },
        new AbortController().signal,
      )
      .catch((e: unknown) => e);
    expect(isTransientError(error)).toBe(true);
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  });
});
