import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../resilience/index.ts';
import { openEventStream, useServe } from './serve-harness.test-support.ts';

const serve = useServe();

const connect = openEventStream;

describe('GET /events', () => {
  it('streams log records as they happen; a reconnect with Last-Event-ID gets exactly what it missed', async () => {
    const h = await serve({ paused: true });
    await h.session.app.listen({ host: '127.0.0.1', port: 0 });
    const first = await connect(h);
    expect(first.response.statusCode).toBe(200);
    expect(first.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(first.response.headers['content-security-policy']).toBeDefined();

    await h.request({ method: 'POST', url: '/campaign/resume' });
    await first.waitFor((events) => events.some((e) => e.data.event === 'campaign_resumed'));
    const seen = first.events().at(-1)!;
    expect(seen).toMatchObject({ type: 'log', id: expect.stringMatching(/^[0-9a-f]+-\d+$/) });
    first.close();

    // while it is away
    await h.request({ method: 'POST', url: '/campaign/pause' });
    await h.request({ method: 'POST', url: '/services/HubSpot/open' });

    const again = await connect(h, seen.id);
    await again.waitFor((events) => events.some((e) => e.data.event === 'circuit_held'));
    const missed = again.events().map((e) => e.data.event);
    expect(missed).toEqual(['campaign_paused', 'circuit_state_changed', 'circuit_held']);
    again.close();
  });

  it('masks phone numbers in the events', async () => {
    const h = await serve();
    await h.session.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await connect(h);
    // no id: the contact's id is its number (`phone:+1…`), which its events name
    await h.request({
      method: 'POST',
      url: '/calls',
      payload: [{ name: 'Al', phone: '+14155550177' }],
    });
    await (h.clock as VirtualClock).runUntil(() =>
      h.lines.some((line) => line.event === 'contact_completed'),
    );
    await stream.waitFor((events) => events.some((e) => e.data.event === 'contact_completed'));
    stream.close();
    const completed = stream.events().find((e) => e.data.event === 'contact_completed')!;
    expect(completed.data.message).toBe('Contact phone:+1415***0177 completed');
    expect(JSON.stringify(stream.events())).not.toContain('4155550177');
  });
});
