import { afterEach, describe, expect, it } from 'vitest';
import {
  HealthChecker,
  PermanentServiceError,
  TransientServiceError,
  VirtualClock,
  createServicePolicy,
} from '../resilience/index.ts';
import { attachMetrics } from './attach-metrics.ts';
import { createMetrics } from './metrics.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The value of one sample line, e.g. `call_agent_calls_total{service="X",outcome="success"}`. */
function sample(
  body: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (
      Object.entries(labels).every(([k, v]) => found[k] === v) &&
      Object.keys(found).length === Object.keys(labels).length
    )
      return Number(match[3]);
  }
  return undefined;
}

async function settle(clock: VirtualClock, promise: Promise<unknown>): Promise<void> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await clock.runUntil(() => done);
}

describe('metrics', () => {
  it('counts a real policy and health checker and serves them over HTTP', async () => {
    const clock = new VirtualClock();
    const metrics = createMetrics();
    const policy = createServicePolicy(
      'ElevenLabs',
      {
        retry: {
          max_retries: 3,
          initial_delay: 5,
          backoff_factor: 2,
          jitter: 'none',
          budget: false,
        },
        circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
      },
      { clock },
    );
    attachMetrics(policy, metrics);
    const checker = new HealthChecker({ interval: 5 }, { clock });
    checker.register('ElevenLabs', async () => {
      throw new TransientServiceError('503', { service: 'ElevenLabs' });
    });
    attachMetrics(checker, metrics);

    const fail = () => Promise.reject(new TransientServiceError('503', { service: 'ElevenLabs' }));
    await settle(
      clock,
      policy.execute(async () => 'ok'),
    );
    await settle(clock, policy.execute(fail)); // 3 retries, 35 s
    await settle(clock, policy.execute(fail)); // 3 retries, opens the circuit
    await settle(clock, policy.execute(fail)); // refused
    checker.start();
    await clock.advance(5_000);
    await checker.stop();
    const depth = { pending: 7, completed: 2, failed: 1, in_progress: 0, deferred: 3 };
    const stopReading = metrics.readQueueDepthFrom(async () => depth);
    metrics.alertSent('webhook');
    metrics.alertFailed('telegram');

    server = await startMetricsServer({ port: 0, registry: metrics.registry });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    const body = await res.text();

    const svc = { service: 'ElevenLabs' };
    expect(sample(body, 'call_agent_calls_total', { ...svc, outcome: 'success' })).toBe(1);
    expect(sample(body, 'call_agent_calls_total', { ...svc, outcome: 'failure' })).toBe(2);
    expect(sample(body, 'call_agent_calls_total', { ...svc, outcome: 'circuit_open' })).toBe(1);
    expect(sample(body, 'call_agent_retries_total', svc)).toBe(6);
    expect(
      sample(body, 'call_agent_circuit_transitions_total', { ...svc, from: 'CLOSED', to: 'OPEN' }),
    ).toBe(1);
    expect(sample(body, 'call_agent_circuit_state', svc)).toBe(2);
    expect(
      sample(body, 'call_agent_call_duration_seconds_count', { ...svc, outcome: 'failure' }),
    ).toBe(2);
    expect(
      sample(body, 'call_agent_call_duration_seconds_sum', { ...svc, outcome: 'failure' }),
    ).toBe(70);
    expect(sample(body, 'call_agent_health_probes_total', { ...svc, result: 'unhealthy' })).toBe(1);
    expect(sample(body, 'call_agent_queue_depth', { state: 'pending' })).toBe(7);
    expect(sample(body, 'call_agent_queue_depth', { state: 'deferred' })).toBe(3);
    // read again at the next scrape, not remembered from the first
    depth.pending = 5;
    const again = await (await fetch(server.url)).text();
    expect(sample(again, 'call_agent_queue_depth', { state: 'pending' })).toBe(5);
    // once the reader is disposed the gauge keeps its last values and reads nothing
    stopReading();
    depth.pending = 1;
    const after = await (await fetch(server.url)).text();
    expect(sample(after, 'call_agent_queue_depth', { state: 'pending' })).toBe(5);
    expect(sample(body, 'call_agent_alerts_sent_total', { channel: 'webhook' })).toBe(1);
    expect(sample(body, 'call_agent_alerts_failed_total', { channel: 'telegram' })).toBe(1);
    expect(body).toContain('call_agent_process_cpu_user_seconds_total');
  });

  it('sets the state gauge on attach and follows the breaker back to closed', async () => {
    const clock = new VirtualClock();
    const metrics = createMetrics({ defaultMetrics: false });
    const policy = createServicePolicy(
      'HubSpot',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 10 },
      },
      { clock },
    );
    const dispose = attachMetrics(policy, metrics);
    const value = async () =>
      (await metrics.circuitState.get()).values.find((v) => v.labels.service === 'HubSpot')?.value;
    expect(await value()).toBe(0);
    // opened by a failed call, not by hand (a manual open is held)
    const revoked = new PermanentServiceError('401', { service: 'HubSpot', scope: 'service' });
    await settle(
      clock,
      policy.execute(() => Promise.reject(revoked)),
    );
    expect(await value()).toBe(2);
    await clock.advance(10_000);
    await settle(
      clock,
      policy.execute(async () => 'probe'),
    );
    expect(await value()).toBe(0);
    dispose();
    policy.open();
    expect(await value()).toBe(0);
  });

  it('answers 404 off /metrics', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    server = await startMetricsServer({ port: 0, registry: metrics.registry });
    const res = await fetch(server.url.replace('/metrics', '/other'));
    expect(res.status).toBe(404);
  });
});
