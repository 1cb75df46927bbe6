import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../resilience/index.ts';
import { useServe, type ServeHarness } from './serve-harness.test-support.ts';

const serve = useServe();

const alice = { id: 'a', name: 'Alice Adams', phone: '+1 415 555 0101', company: 'Acme' };
const bob = { id: 'b', name: 'Bob Brown', phone: '(415) 555-0102' };
const noId = { name: 'Cy', phone: '+14155550103' };

async function post(h: ServeHarness, body: unknown) {
  return h.request({ method: 'POST', url: '/calls', payload: body as object });
}

/** Drives the virtual clock until the contact is in `state`. */
async function until(
  h: ServeHarness,
  ref: string,
  state: string,
): Promise<Record<string, unknown>> {
  let contact: Record<string, unknown> = {};
  const clock = h.clock as VirtualClock;
  let checking = false;
  const ok = await clock.runUntil(() => {
    if (!checking) {
      checking = true;
      void h.request({ method: 'GET', url: `/calls/${ref}` }).then((response) => {
        contact = response.json();
        checking = false;
      });
    }
    return contact.state === state;
  });
  expect(ok, `contact ${ref} never ${state}: ${JSON.stringify(contact)}`).toBe(true);
  return contact;
}

describe('POST /calls', () => {
  it('queues a JSON array by the import rules: queued, duplicates, rejected rows with line and reason', async () => {
    const h = await serve({ paused: true });
    const first = await post(h, [alice, bob, { name: 'Dee', phone: '12345' }, { name: 'Eve' }]);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      queued: 2,
      duplicates: 0,
      rejected: [
        { line: 3, reason: 'invalid phone number "12345"' },
        { line: 4, reason: 'missing phone' },
      ],
    });
    const again = await post(h, [alice]);
    expect(again.json()).toEqual({ queued: 0, duplicates: 1, rejected: [] });
    const taken = await post(h, [{ id: 'z', name: 'Zed', phone: '+14155550101' }]);
    expect(taken.json()).toEqual({
      queued: 0,
      duplicates: 0,
      rejected: [{ line: 1, reason: '+1415***0101 already queued as a' }],
    });
    expect(await h.session.queue.counts()).toMatchObject({ pending: 2 });
  });

  it('queues a CSV body (text/csv) by the same rules', async () => {
    const h = await serve({ paused: true });
    const csv = 'id,name,phone\na,Alice Adams,+1 415 555 0101\nb,Bob,555\n';
    const response = await h.request({
      method: 'POST',
      url: '/calls',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      queued: 1,
      duplicates: 0,
      rejected: [{ line: 3, reason: 'invalid phone number "555"' }],
    });
  });

  it.each([
    [
      'a JSON object',
      'application/json',
      '{"name":"Alice"}',
      /expected a JSON array of contacts, or a CSV body/,
    ],
    ['JSON that does not parse', 'application/json', '[{"name":', /JSON/],
    ['a CSV without the phone column', 'text/csv', 'name\nAlice\n', /no "phone" column/],
    [
      'a CSV that is not UTF-8',
      'text/csv',
      Buffer.from('name,phone\nJos\xe9,+14155550101\n', 'latin1'),
      /not valid UTF-8/,
    ],
  ])('refuses %s with 400 {error, message}', async (_what, type, payload, message) => {
    const h = await serve({ paused: true });
    const response = await h.request({
      method: 'POST',
      url: '/calls',
      headers: { 'content-type': type },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'bad_request',
      message: expect.stringMatching(message),
    });
    expect(await h.session.queue.counts()).toMatchObject({ pending: 0 });
  });

  it('refuses another content type with 415 and a body past the limit with 413', async () => {
    const h = await serve({ paused: true });
    const text = await h.request({
      method: 'POST',
      url: '/calls',
      headers: { 'content-type': 'text/plain' },
      payload: 'Alice',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: 'unsupported_media_type' });
    const huge = await h.request({
      method: 'POST',
      url: '/calls',
      headers: { 'content-type': 'text/csv' },
      payload: 'name,phone\n' + 'x'.repeat(6 * 1024 * 1024),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: 'payload_too_large' });
  });
});

describe('GET /calls', () => {
  it('pages newest first with a cursor; phones and phone-derived ids masked', async () => {
    const h = await serve({ paused: true });
    await post(h, [alice, bob, noId]);
    const first = await h.request({ method: 'GET', url: '/calls?limit=2' });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.contacts).toMatchObject([
      {
        ref: expect.stringMatching(/^@\d+$/),
        id: 'phone:+1415***0103',
        name: 'Cy',
        phone: '+1415***0103',
        state: 'pending',
      },
      { ref: 'b', id: 'b', name: 'Bob Brown', phone: '+1415***0102', attempts: 0 },
    ]);
    expect(first.body).not.toContain('4155550103');
    const rest = await h.request({
      method: 'GET',
      url: `/calls?limit=2&cursor=${page.next_cursor}`,
    });
    expect(rest.json()).toMatchObject({
      contacts: [{ ref: 'a', company: 'Acme' }],
      next_cursor: null,
    });
  });

  it('filters by state', async () => {
    const h = await serve({ paused: true });
    await post(h, [alice, bob]);
    const failed = await h.request({ method: 'GET', url: '/calls?state=failed' });
    expect(failed.json()).toEqual({ contacts: [], next_cursor: null });
    const pending = await h.request({ method: 'GET', url: '/calls?state=pending' });
    expect(pending.json().contacts).toHaveLength(2);
  });

  it.each(['state=bogus', 'limit=0', 'limit=501', 'cursor=-3', 'colour=blue'])(
    'refuses ?%s with 400',
    async (query) => {
      const h = await serve({ paused: true });
      const response = await h.request({ method: 'GET', url: `/calls?${query}` });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        error: 'bad_request',
        message: expect.stringContaining('invalid query'),
      });
    },
  );
});

describe('GET /calls/:id', () => {
  it("shows a contact's state, attempts, checkpoints and event history, phones masked", async () => {
    const h = await serve();
    await post(h, [alice]);
    const contact = await until(h, 'a', 'completed');
    expect(contact).toMatchObject({
      ref: 'a',
      name: 'Alice Adams',
      phone: '+1415***0101',
      attempts: 1,
      last_error: null,
      checkpoints: {
        script: 'written',
        voice: 'ElevenLabs',
        call_sid: expect.stringMatching(/^CA/),
        crm: 'recorded',
      },
    });
    const events = (contact.history as Array<{ event: string; service: string }>).map(
      (e) => `${e.service} ${e.event}`,
    );
    expect(events).toEqual([
      'OpenAI call_succeeded',
      'ElevenLabs call_succeeded',
      'Twilio call_succeeded',
      'HubSpot call_succeeded',
      'Agent contact_completed',
    ]);
    expect(JSON.stringify(contact)).not.toContain('4155550101');
  });

  it('finds a contact without an id by its ref, and says 404 for no contact', async () => {
    const h = await serve({ paused: true });
    await post(h, [noId]);
    const [listed] = (await h.request({ method: 'GET', url: '/calls' })).json().contacts;
    expect((await h.request({ method: 'GET', url: `/calls/${listed.ref}` })).json()).toMatchObject({
      name: 'Cy',
    });
    const missing = await h.request({ method: 'GET', url: '/calls/nobody' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'no contact nobody' });
  });
});

describe('requeue and delete', () => {
  it('requeues a failed contact (200), refuses one that is not failed (409) or unknown (404)', async () => {
    const h = await serve({ faults: { twilio: { script: ['21211'] } } });
    await post(h, [alice]);
    const failed = await until(h, 'a', 'failed');
    expect(failed.last_error).toMatch(/^Twilio: .*not a valid phone number/);
    h.session.campaign.pause();
    const requeued = await h.request({ method: 'POST', url: '/calls/a/requeue' });
    expect(requeued.statusCode).toBe(200);
    expect(requeued.json()).toMatchObject({ ref: 'a', state: 'pending', last_error: null });
    const again = await h.request({ method: 'POST', url: '/calls/a/requeue' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({
      error: 'conflict',
      message: 'a: not requeued, it is pending already',
    });
    expect((await h.request({ method: 'POST', url: '/calls/zz/requeue' })).statusCode).toBe(404);
  });

  it('deletes a contact that is not in progress; refuses one in progress with 409', async () => {
    const h = await serve({ paused: true });
    await post(h, [alice, bob]);
    const held = await h.session.queue.claim('another-worker', 60_000);
    expect(held?.contact.id).toBe('a');
    const busy = await h.request({ method: 'DELETE', url: '/calls/a' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ error: 'conflict' });
    const removed = await h.request({ method: 'DELETE', url: '/calls/b' });
    expect(removed.json()).toEqual({ removed: 'b' });
    expect(await h.session.queue.status('b')).toBeUndefined();
    expect((await h.request({ method: 'DELETE', url: '/calls/b' })).statusCode).toBe(404);
  });
});
