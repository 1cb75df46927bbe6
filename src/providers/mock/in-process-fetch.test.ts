import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import { createInProcessFetch, IN_PROCESS_ORIGIN } from './in-process-fetch.ts';
import { MockProviders } from './mock-providers.ts';

const SID = 'AC1';
const auth = { authorization: `Basic ${Buffer.from(`${SID}:token`).toString('base64')}` };

function setup() {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock });
  const fetch = createInProcessFetch(mock);
  const calls = `${mock.baseUrls(IN_PROCESS_ORIGIN).twilio}/2010-04-01/Accounts/${SID}/Calls.json`;
  const place = (to: string) =>
    fetch(calls, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: to, From: '+15005550006', Twiml: '<Response/>' }),
    });
  return { clock, mock, fetch, calls, place };
}

describe('in-process fetch over the mock', () => {
  it('fails like undici for another host', async () => {
    const { fetch } = setup();
    const error = await fetch('http://api.twilio.com/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code: string }).code).toBe('ENOTFOUND');
  });

  it('waits out the latency on the mock clock, and aborts with the signal', async () => {
    const { clock, mock, fetch, calls } = setup();
    mock.setFaults({ twilio: { latencyMs: 2_000 } });
    let done = false;
    const answered = fetch(calls, { headers: auth }).then((response) => {
      done = true;
      return response.status;
    });
    await clock.advance(1_999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(await answered).toBe(200);

    const controller = new AbortController();
    const aborted = fetch(calls, { headers: auth, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    await clock.advance(10);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await aborted).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it("Twilio's mock keeps its calls: list by To, newest first; a StartTime filter misses queued calls", async () => {
    const { clock, fetch, calls, place } = setup();
    const first = (await (await place('+14155550123')).json()) as {
      sid: string;
      date_created: string;
    };
    await clock.advance(1_000);
    const second = (await (await place('+14155550123')).json()) as { sid: string };
    await place('+14155550999');
    expect(first.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(first.date_created).toBe('Thu, 29 Jan 2026 18:17:00 +0000');
    const list = (await (await fetch(`${calls}?To=%2B14155550123`, { headers: auth })).json()) as {
      calls: Array<{ sid: string }>;
    };
    expect(list.calls.map((call) => call.sid)).toEqual([second.sid, first.sid]);
    const started = (await (
      await fetch(`${calls}?To=%2B14155550123&StartTime%3E=2026-01-29`, { headers: auth })
    ).json()) as {
      calls: unknown[];
    };
    expect(started.calls).toEqual([]);
  });

  it('answers 401 20003 without valid basic auth', async () => {
    const { fetch, calls } = setup();
    const response = await fetch(calls, { headers: { authorization: 'Basic bad' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003 });
  });
});
