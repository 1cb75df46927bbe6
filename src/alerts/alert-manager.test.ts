import { afterEach, describe, expect, it } from 'vitest';
import {
  HealthChecker,
  PermanentServiceError,
  TransientServiceError,
  VirtualClock,
  createServicePolicy,
} from '../resilience/index.ts';
import type { Alert, Severity } from './alert.ts';
import { AlertManager } from './alert-manager.ts';
import type { AlertChannel } from './channels/channel.ts';
import { WebhookChannel } from './channels/webhook-channel.ts';
import { startLoopbackServer, type LoopbackServer } from './loopback-servers.test-support.ts';

/** An in-memory channel: the AlertChannel port, keeping what it is sent. */
class InboxChannel implements AlertChannel {
  readonly secrets: readonly string[] = [];
  readonly sent: Alert[] = [];
  constructor(
    readonly name: string,
    readonly minSeverity: Severity = 'info',
    private readonly behaviour: (alert: Alert) => Promise<void> = async () => {},
  ) {}
  async send(alert: Alert): Promise<void> {
    await this.behaviour(alert);
    this.sent.push(alert);
  }
}

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function settle(clock: VirtualClock, promise: Promise<unknown>): Promise<void> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await clock.runUntil(() => done);
}

describe('AlertManager', () => {
  it('turns an outage of 100 failures (one opening, 99 failed trials) in a minute into 2 messages', async () => {
    const clock = new VirtualClock();
    server = await startLoopbackServer(clock);
    const manager = new AlertManager({
      channels: [new WebhookChannel({ url: server.url, clock })],
      clock,
      log: () => {},
    });
    const policy = createServicePolicy(
      'ElevenLabs',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 0.5 },
      },
      { clock },
    );
    manager.attach(policy);
    let openings = 0;
    policy.onStateChanged((e) => {
      if (e.to === 'OPEN') openings++;
    });
    const fail = () =>
      Promise.reject(
        new TransientServiceError('503 Service Unavailable', { service: 'ElevenLabs' }),
      );
    for (let i = 0; i < 100; i++) {
      await settle(clock, policy.execute(fail));
      if (i === 0) await server.received(2); // circuit opened + retries exhausted, at once
      await clock.advance(600);
    }
    expect(openings).toBe(100);
    expect(clock.now() - Date.UTC(2026, 0, 29, 18, 17, 0)).toBe(60_000);
    expect(server.requests).toHaveLength(2);

    // a failed half-open trial reopens the circuit without a new alert: one outage, one opening
    await clock.advance(15 * 60_000);
    await manager.idle();
    const bodies = server.requests.map(
      (r) => JSON.parse(r.body) as { type: string; count: number; text: string },
    );
    expect(bodies.map((b) => [b.type, b.count])).toEqual([
      ['circuit_opened', 1],
      ['retries_exhausted', 1],
    ]);
  });

  it('folds 100 repeats of one alert in the dedupe window into the first and one summary', async () => {
    const clock = new VirtualClock();
    server = await startLoopbackServer(clock);
    const manager = new AlertManager({
      channels: [new WebhookChannel({ url: server.url, clock })],
      clock,
      log: () => {},
    });
    const policy = createServicePolicy(
      'HubSpot',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 1_000, recovery_timeout: 10 },
      },
      { clock },
    );
    manager.attach(policy);
    const fail = () =>
      Promise.reject(new TransientServiceError('503 Service Unavailable', { service: 'HubSpot' }));
    const t0 = clock.now();
    for (let i = 0; i < 100; i++) {
      await settle(clock, policy.execute(fail));
      await clock.advance(600);
    }
    await server.received(1);
    // the window ends (the summary goes out); no virtual time passes while it is delivered
    await clock.advanceTo(t0 + 5 * 60_000);
    await server.received(2);
    await manager.idle();
    const bodies = server.requests.map(
      (r) => JSON.parse(r.body) as { type: string; count: number; text: string },
    );
    expect(bodies.map((b) => [b.type, b.count])).toEqual([
      ['retries_exhausted', 1],
      ['retries_exhausted', 99],
    ]);
    expect(bodies[1]!.text).toContain('99 more in the last 5 min');
    await clock.advance(10 * 60_000);
    expect(server.requests).toHaveLength(2);
  });

  it('rate-limits each channel to 10 messages a minute; later ones wait their turn', async () => {
    const clock = new VirtualClock();
    const inbox = new InboxChannel('webhook');
    const manager = new AlertManager({ channels: [inbox], clock, log: () => {} });
    for (let i = 0; i < 25; i++) {
      manager.raise({
        kind: 'circuit_opened',
        severity: 'critical',
        service: `svc-${i}`,
        message: 'open',
      });
    }
    await clock.advance(0);
    expect(inbox.sent).toHaveLength(10);
    await clock.advance(59_999);
    expect(inbox.sent).toHaveLength(19);
    await clock.advance(1);
    expect(inbox.sent).toHaveLength(20);
    await clock.advance(30_000);
    expect(inbox.sent).toHaveLength(25);
    expect(manager.stats()['webhook']).toMatchObject({ sent: 25, dropped: 0, queued: 0 });
  });

  it('drops and counts alerts past the queue bound', async () => {
    const clock = new VirtualClock();
    const inbox = new InboxChannel('webhook');
    const logs: string[] = [];
    const manager = new AlertManager({
      channels: [inbox],
      clock,
      maxQueue: 20,
      log: (_l, m) => logs.push(m),
    });
    for (let i = 0; i < 30; i++) {
      manager.raise({
        kind: 'permanent_failure',
        severity: 'critical',
        service: `svc-${i}`,
        message: 'x',
      });
    }
    expect(manager.stats()['webhook']).toMatchObject({ dropped: 10, queued: 20 });
    expect(logs.filter((m) => m.startsWith('alert dropped'))).toHaveLength(10);
  });

  it("routes by each channel's minimum severity", async () => {
    const clock = new VirtualClock();
    const pager = new InboxChannel('telegram', 'critical');
    const chat = new InboxChannel('webhook', 'info');
    const manager = new AlertManager({ channels: [pager, chat], clock, log: () => {} });
    manager.raise({
      kind: 'circuit_closed',
      severity: 'info',
      service: 'Twilio',
      message: 'closed',
    });
    manager.raise({
      kind: 'retries_exhausted',
      severity: 'warning',
      service: 'Twilio',
      message: 'gave up',
    });
    manager.raise({
      kind: 'circuit_opened',
      severity: 'critical',
      service: 'Twilio',
      message: 'open',
    });
    await manager.idle();
    expect(pager.sent.map((a) => a.kind)).toEqual(['circuit_opened']);
    expect(chat.sent.map((a) => a.kind)).toEqual([
      'circuit_closed',
      'retries_exhausted',
      'circuit_opened',
    ]);
  });

  it('raises service_unhealthy after the threshold, once, and the resolution when it is back', async () => {
    const clock = new VirtualClock();
    const inbox = new InboxChannel('webhook');
    const manager = new AlertManager({
      channels: [inbox],
      clock,
      unhealthyAfterMs: 60_000,
      log: () => {},
    });
    const checker = new HealthChecker({ interval: 5 }, { clock });
    let up = false;
    checker.register('HubSpot', async () => {
      if (!up) throw new TransientServiceError('503 Service Unavailable', { service: 'HubSpot' });
    });
    manager.attach(checker);
    checker.start();
    await clock.advance(60_000); // failing probes at 5 … 60 s: down for 55 s so far
    expect(inbox.sent).toEqual([]);
    await clock.advance(5_000); // the 13th failed probe, at 65 s: down for 60 s
    expect(inbox.sent.map((a) => [a.kind, a.severity])).toEqual([
      ['service_unhealthy', 'critical'],
    ]);
    expect(inbox.sent[0]!.message).toMatch(
      /^Unhealthy for 60 s \(13 failed probes\): 503 Service Unavailable$/,
    );
    await clock.advance(60_000);
    expect(inbox.sent).toHaveLength(1);
    up = true;
    await clock.advance(5_000);
    await checker.stop();
    expect(inbox.sent.map((a) => [a.kind, a.severity])).toEqual([
      ['service_unhealthy', 'critical'],
      ['service_recovered', 'info'],
    ]);
  });

  it("does not alert on a contact's own permanent error; closes with an info resolution", async () => {
    const clock = new VirtualClock();
    const inbox = new InboxChannel('webhook');
    const manager = new AlertManager({ channels: [inbox], clock, log: () => {} });
    const policy = createServicePolicy(
      'Twilio',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 10 },
      },
      { clock },
    );
    manager.attach(policy);
    await settle(
      clock,
      policy.execute(() =>
        Promise.reject(
          new PermanentServiceError('21211 invalid To +14155550123', {
            service: 'Twilio',
            scope: 'request',
          }),
        ),
      ),
    );
    await manager.idle();
    expect(inbox.sent).toEqual([]);
    policy.open();
    policy.reset();
    await manager.idle();
    expect(inbox.sent.map((a) => [a.kind, a.severity])).toEqual([
      ['circuit_opened', 'critical'],
      ['circuit_closed', 'info'],
    ]);
  });

  it('never throws into the caller and never holds up a call, even with a channel that hangs', async () => {
    const clock = new VirtualClock();
    const hanging = new InboxChannel('webhook', 'info', () => new Promise<void>(() => {}));
    const throwing = new InboxChannel('telegram', 'info', () => {
      throw new Error('sync boom');
    });
    const manager = new AlertManager({
      channels: [hanging, throwing],
      clock,
      log: () => {
        throw new Error('logger down');
      },
    });
    const policy = createServicePolicy(
      'OpenAI',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 10 },
      },
      { clock },
    );
    manager.attach(policy);
    const call = policy.execute(() =>
      Promise.reject(
        new PermanentServiceError('401 invalid key', { service: 'OpenAI', scope: 'service' }),
      ),
    );
    await expect(call).rejects.toThrow('401 invalid key'); // settles with no clock advance
    expect(() =>
      manager.raise({
        kind: 'test',
        severity: 'info',
        service: 'x',
        message: undefined as unknown as string,
      }),
    ).not.toThrow();
    await clock.advance(30_000); // the throwing channel's retries run out; the hanging one times out
    expect(manager.stats()['webhook']!.sent).toBe(0);
    // both the policy's alert and the malformed one (its message coerced) reached the channel
    expect(manager.stats()['telegram']).toMatchObject({ sent: 0, failed: 2 });
  });
});
