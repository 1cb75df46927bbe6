import { describe, expect, it } from 'vitest';
import { useServe } from './serve-harness.test-support.ts';

const serve = useServe();

describe('health endpoints', () => {
  it('all pass while every circuit is closed and the queue answers', async () => {
    const h = await serve({ paused: true });
    expect((await h.request({ method: 'GET', url: '/livez' })).json()).toEqual({ status: 'pass' });
    expect((await h.request({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
    });
    const health = await h.request({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(health.json()).toMatchObject({
      status: 'pass',
      checks: {
        'queue:reachable': [{ status: 'pass' }],
        'OpenAI:circuit': [{ status: 'pass', observedValue: 'CLOSED' }],
        'ElevenLabs:circuit': [{ status: 'pass', observedValue: 'CLOSED' }],
        'Twilio:circuit': [{ status: 'pass', observedValue: 'CLOSED' }],
        'HubSpot:circuit': [{ status: 'pass', observedValue: 'CLOSED' }],
      },
    });
  });

  it('an open breaker warns in /health and is not unready', async () => {
    const h = await serve({ paused: true });
    await h.request({ method: 'POST', url: '/services/Twilio/open' });
    const health = await h.request({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'warn',
      checks: { 'Twilio:circuit': [{ status: 'warn', observedValue: 'OPEN' }] },
    });
    expect((await h.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('a queue that does not answer: unready and fail; the process still lives', async () => {
    const h = await serve({ paused: true });
    await h.session.queue.close();
    const ready = await h.request({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      error: 'not_ready',
      message: expect.stringMatching(/^queue: /),
    });
    const health = await h.request({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'fail',
      checks: { 'queue:reachable': [{ status: 'fail' }] },
    });
    expect((await h.request({ method: 'GET', url: '/livez' })).statusCode).toBe(200);
  });

  it('/metrics serves Prometheus text: calls, circuit states, queue depth, requests, streams', async () => {
    const h = await serve({ paused: true });
    await h.request({ method: 'GET', url: '/livez' });
    const metrics = await h.request({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('call_agent_circuit_state{service="ElevenLabs"} 0');
    expect(metrics.body).toMatch(/call_agent_queue_depth\{state="pending"\} 0/);
    expect(metrics.body).toMatch(/call_agent_http_requests_total\{method="GET",status="200"\} \d+/);
    expect(metrics.body).toContain('call_agent_sse_clients 0');
    expect(metrics.body).toContain('call_agent_sse_dropped_total 0');
  });
});
