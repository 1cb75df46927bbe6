import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import { freshDb, useServe, type ServeHarness } from './serve-harness.test-support.ts';

const serve = useServe();

const contacts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `c${i + 1}`,
    name: `Contact ${i + 1}`,
    phone: `+1415555${String(200 + i).padStart(4, '0')}`,
  }));

async function service(h: ServeHarness, name: string) {
  const answer = (await h.request({ method: 'GET', url: '/services' })).json();
  return answer.services.find((s: { name: string }) => s.name === name);
}

describe('GET /services', () => {
  it('shows every service: circuit, health, counters, last error, retry budget', async () => {
    const h = await serve();
    const answer = (await h.request({ method: 'GET', url: '/services' })).json();
    expect(answer.now).toBe(new Date(h.clock.now()).toISOString());
    expect(answer.services.map((s: { name: string }) => s.name)).toEqual([
      'OpenAI',
      'ElevenLabs',
      'Twilio',
      'HubSpot',
    ]);
    expect(answer.services[1]).toEqual({
      name: 'ElevenLabs',
      circuit: {
        state: 'CLOSED',
        since: null,
        reason: null,
        held: false,
        open_until: null,
        next_attempt_at: null,
        error: null,
      },
      health: {
        healthy: null,
        probed_here: true,
        last_probe_at: null,
        latency_ms: null,
        last_error: null,
        next_probe_at: new Date(h.clock.now() + 1_000).toISOString(),
      },
      counters: {
        calls: 0,
        succeeded: 0,
        failures: 0,
        rejected: 0,
        retries: 0,
        circuit_openings: 0,
      },
      last_error: null,
      retry_budget: { tokens: 20 },
    });
  });

  it('a failing service: its circuit opens with the error, counters count, the probe says so', async () => {
    const h = await serve({ faults: { elevenlabs: { outages: [{ afterMs: 0 }] } } });
    const clock = h.clock as VirtualClock;
    await h.request({ method: 'POST', url: '/calls', payload: contacts(3) });
    await clock.runUntil(() => h.session.campaign.policies.get('ElevenLabs')!.state === 'OPEN');
    await clock.advance(1_000); // a health probe
    const tts = await service(h, 'ElevenLabs');
    expect(tts.circuit).toMatchObject({
      state: 'OPEN',
      since: expect.any(String),
      reason: 'failure_threshold',
      held: false,
      next_attempt_at: expect.any(String),
      error: { type: 'transient', message: expect.stringContaining('503') },
    });
    expect(tts.health).toMatchObject({
      healthy: false,
      last_probe_at: expect.any(String),
      latency_ms: 0,
      last_error: { type: 'transient' },
    });
    expect(Date.parse(tts.health.next_probe_at)).toBe(Date.parse(tts.health.last_probe_at) + 1_000);
    expect(tts.counters).toMatchObject({ failures: 2, retries: 2, circuit_openings: 1 });
    expect(tts.counters.rejected).toBeGreaterThanOrEqual(1);
    expect(tts.last_error).toMatchObject({
      type: 'transient',
      message: expect.stringContaining('503'),
    });
    expect(tts.retry_budget.tokens).toBeLessThan(20);
  });

  it('the timeline samples each service: worst state and calls per step', async () => {
    const h = await serve({ faults: { elevenlabs: { outages: [{ afterMs: 0 }] } } });
    const clock = h.clock as VirtualClock;
    await h.request({ method: 'POST', url: '/calls', payload: contacts(2) });
    await clock.advance(10_000);
    const timeline = (await h.request({ method: 'GET', url: '/services/timeline' })).json();
    expect(timeline.step_ms).toBe(5_000);
    const [first, second] = timeline.services.ElevenLabs;
    // two failed calls opened it; half-open trials (every 2 s) failed too
    expect(first).toMatchObject({ state: 'OPEN', failures: first.calls });
    expect(first.calls).toBeGreaterThanOrEqual(2);
    expect(second.state).toBe('OPEN');
    expect(timeline.services.OpenAI[0]).toMatchObject({ state: 'CLOSED', failures: 0 });
    expect(timeline.services.OpenAI[0].calls).toBeGreaterThanOrEqual(2);
  });
});

describe('opening and resetting a breaker by hand', () => {
  it('open holds it open (calls refused, no probe closes it); reset closes it', async () => {
    const h = await serve();
    const clock = h.clock as VirtualClock;
    const opened = await h.request({ method: 'POST', url: '/services/Twilio/open' });
    expect(opened.statusCode).toBe(200);
    expect(opened.json().circuit).toMatchObject({
      state: 'OPEN',
      held: true,
      reason: 'manual_open',
    });
    await h.request({ method: 'POST', url: '/calls', payload: contacts(1) });
    await clock.advance(30_000); // health probes pass meanwhile
    expect((await service(h, 'Twilio')).circuit.state).toBe('OPEN');
    expect(await h.session.queue.status('c1')).toMatchObject({
      state: 'deferred',
      waitingOn: 'Twilio',
    });
    const reset = await h.request({ method: 'POST', url: '/services/Twilio/reset' });
    expect(reset.json().circuit).toMatchObject({ state: 'CLOSED', held: false });
    await clock.runUntil(() => h.mock.twilioCalls.length === 1);
  });

  it('an unknown service is 404', async () => {
    const h = await serve({ paused: true });
    const response = await h.request({ method: 'POST', url: '/services/Nope/open' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('ElevenLabs'),
    });
  });
});

describe('breakers across a restart', () => {
  it('a breaker held open by hand stays open', async () => {
    const db = freshDb();
    const clock = new VirtualClock();
    const first = await serve({ db, clock, paused: true });
    await first.request({ method: 'POST', url: '/services/ElevenLabs/open' });
    await first.close();
    await clock.advance(3_600_000);
    const second = await serve({ db, clock, paused: true });
    expect((await service(second, 'ElevenLabs')).circuit).toMatchObject({
      state: 'OPEN',
      held: true,
      reason: 'manual_open',
    });
  });

  it('a breaker opened by failures stays open until its recovery time, then lets a trial through', async () => {
    const db = freshDb();
    const clock = new VirtualClock();
    const first = await serve({ db, clock, faults: { elevenlabs: { outages: [{ afterMs: 0 }] } } });
    await first.request({ method: 'POST', url: '/calls', payload: contacts(2) });
    await clock.runUntil(() => first.session.campaign.policies.get('ElevenLabs')!.state === 'OPEN');
    const openedAt = clock.now();
    first.session.campaign.pause();
    await first.close();

    // the service answers again, but the new process has not tried it yet
    const second = await serve({ db, clock, paused: true });
    const tts = second.session.campaign.policies.get('ElevenLabs')!;
    expect(tts.state).toBe('OPEN');
    expect(tts.refuses()).toBeDefined();
    expect((await service(second, 'ElevenLabs')).circuit.next_attempt_at).toBe(
      new Date(openedAt + 2_000).toISOString(),
    );
    second.session.campaign.resume();
    await clock.runUntil(() => tts.state === 'CLOSED');
    expect(clock.now()).toBeGreaterThanOrEqual(openedAt + 1_000);
    await clock.runUntil(() => second.mock.twilioCalls.length === 2);
  });
});

describe('pause and resume', () => {
  it('paused, posted contacts wait; resumed, they are called', async () => {
    const h = await serve();
    const clock = h.clock as VirtualClock;
    const paused = await h.request({ method: 'POST', url: '/campaign/pause' });
    expect(paused.json()).toEqual({
      paused: true,
      in_flight: 0,
      contacts: { pending: 0, in_progress: 0, completed: 0, failed: 0, deferred: 0 },
      crm_outbox: 0,
    });
    await h.request({ method: 'POST', url: '/calls', payload: contacts(2) });
    await clock.advance(60_000);
    expect((await h.request({ method: 'GET', url: '/campaign' })).json()).toMatchObject({
      paused: true,
      contacts: { pending: 2 },
    });
    expect(h.mock.twilioCalls).toHaveLength(0);
    const resumed = await h.request({ method: 'POST', url: '/campaign/resume' });
    expect(resumed.json().paused).toBe(false);
    await clock.runUntil(() => h.mock.twilioCalls.length === 2);
    expect(h.lines.map((line) => line.event)).toEqual(
      expect.arrayContaining(['campaign_paused', 'campaign_resumed']),
    );
  });
});
