import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import type { HttpRequest, HttpResult } from '../http/http-client.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from './in-process-client.ts';
import { MockProviders } from './mock-providers.ts';

const SID = 'AC1';
const auth = { authorization: `Basic ${Buffer.from(`${SID}:token`).toString('base64')}` };
const live = () => new AbortController().signal;
const json = (result: HttpResult): unknown => JSON.parse(Buffer.from(result.body).toString());

function setup() {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock });
  const client = createInProcessClient(mock);
  const calls = `${mock.baseUrls(IN_PROCESS_ORIGIN).twilio}/2010-04-01/Accounts/${SID}/Calls.json`;
  const get = (url: string, headers = auth, signal = live()) =>
    client({ method: 'GET', url, headers }, signal);
  const place = (to: string) =>
    client(
      {
        method: 'POST',
        url: calls,
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          To: to,
          From: '+15005550006',
          Twiml: '<Response/>',
        }).toString(),
      },
      live(),
    );
  return { clock, mock, client, get, calls, place };
}

describe('in-process client over the mock', () => {
  it('fails like a socket for another host', async () => {
    const { client } = setup();
    const request: HttpRequest = { method: 'GET', url: 'http://api.twilio.com/x', headers: {} };
    const error = await client(request, live()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code: string }).code).toBe('ENOTFOUND');
  });

  it('waits out the latency on the mock clock, then reports the headers, and aborts with the signal', async () => {
    const { clock, mock, client, calls, get } = setup();
    mock.setFaults({ twilio: { latencyMs: 2_000 } });
    let headersIn = false;
    let done = false;
    const answered = client({ method: 'GET', url: calls, headers: auth }, live(), () => {
      headersIn = true;
    }).then((result) => {
      done = true;
      return result.status;
    });
    await clock.advance(1_999);
    expect(headersIn || done).toBe(false);
    await clock.advance(1);
    expect(await answered).toBe(200);
    expect(headersIn).toBe(true);

    const controller = new AbortController();
    const aborted = get(calls, auth, controller.signal).catch((e: unknown) => e);
    await clock.advance(10);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await aborted).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it("Twilio's mock keeps its calls: list by To, newest first; a StartTime filter misses queued calls", async () => {
    const { clock, get, calls, place } = setup();
    const first = json(await place('+14155550123')) as { sid: string; date_created: string };
    await clock.advance(1_000);
    const second = json(await place('+14155550123')) as { sid: string };
    await place('+14155550999');
    expect(first.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(first.date_created).toBe('Thu, 29 Jan 2026 18:17:00 +0000');
    const list = json(await get(`${calls}?To=%2B14155550123`)) as { calls: Array<{ sid: string }> };
    expect(list.calls.map((call) => call.sid)).toEqual([second.sid, first.sid]);
    const started = json(await get(`${calls}?To=%2B14155550123&StartTime%3E=2026-01-29`)) as {
      calls: unknown[];
    };
    expect(started.calls).toEqual([]);
  });

  it('answers 401 20003 without valid basic auth, headers lowercased as node:http gives them', async () => {
    const { get, calls } = setup();
    const result = await get(calls, { authorization: 'Basic bad' });
    expect(result.status).toBe(401);
    expect(json(result)).toMatchObject({ code: 20003 });
    expect((result.headers as Record<string, string>)['content-type']).toMatch(/json/);
  });
});
