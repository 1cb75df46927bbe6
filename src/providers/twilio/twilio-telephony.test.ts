import { describe, expect, it } from 'vitest';
import {
  PermanentServiceError,
  TimeoutError,
  TransientServiceError,
  VirtualClock,
} from '../../resilience/index.ts';
import { expectNoSecrets, failure } from '../contract/contract-harness.ts';
import { twilioMockHarness } from '../contract/mock-harness.ts';
import { describeTelephonyContract } from '../contract/telephony-contract.ts';
import type { FaultsConfig } from '../mock/faults.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import type { PlaceCallRequest } from '../ports.ts';
import { TwilioTelephony } from './twilio-telephony.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-TOKEN-secret-0004';
const FROM = '+15005550006';
const TO = '+14155550123';
const request: PlaceCallRequest = { contactId: 'c-1', to: TO, script: 'Hi "Ada" <b>&</b>' };
const live = (): AbortSignal => new AbortController().signal;
const make = (baseUrl: string) =>
  new TwilioTelephony({ baseUrl, accountSid: SID, authToken: TOKEN, fromNumber: FROM });

describeTelephonyContract('TwilioTelephony', () => twilioMockHarness([TOKEN], make));

function inProcess(faults: FaultsConfig['twilio'] = {}) {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock, faults: { twilio: faults } });
  const adapter = new TwilioTelephony({
    baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).twilio,
    accountSid: SID,
    authToken: TOKEN,
    fromNumber: FROM,
    httpClient: createInProcessClient(mock),
    clock,
    ttfbMs: 1_000,
  });
  const trail = () => mock.requests('twilio').map((r) => `${r.method} ${r.fault}`);
  return { clock, mock, adapter, trail };
}

describe('TwilioTelephony: placing a call', () => {
  it('posts To, From and TwiML form-encoded with basic auth; <Say> escapes the script', async () => {
    const { mock, adapter } = inProcess();
    await adapter.placeCall(request, live());
    const [post] = mock.requests('twilio');
    expect(post?.path).toBe(`/2010-04-01/Accounts/${SID}/Calls.json`);
    expect(post?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(post?.body);
    expect(form.get('To')).toBe(TO);
    expect(form.get('From')).toBe(FROM);
    expect(form.get('Twiml')).toBe(
      '<Response><Say>Hi &quot;Ada&quot; &lt;b&gt;&amp;&lt;/b&gt;</Say></Response>',
    );
  });

  it('plays the audio with <Play> when there is a URL', async () => {
    const { mock, adapter } = inProcess();
    await adapter.placeCall(
      { ...request, audioUrl: 'https://cdn.example.com/a.mp3?x=1&y=2' },
      live(),
    );
    expect(mock.twilioCalls[0]?.twiml).toBe(
      '<Response><Play>https://cdn.example.com/a.mp3?x=1&amp;y=2</Play></Response>',
    );
  });

  it('masks the number and keeps the token out of a 21211 error', async () => {
    const { adapter } = inProcess({ script: ['21211'] });
    const error = await failure(() => adapter.placeCall(request, live()));
    expect(error).toBeInstanceOf(PermanentServiceError);
    expect((error as Error).message).toBe(
      "400 21211: The 'To' number +1415***0123 is not a valid phone number.",
    );
    expectNoSecrets(error, [TOKEN, Buffer.from(`${SID}:${TOKEN}`).toString('base64')]);
  });

  it('probes GET {base}/2010-04-01/Accounts/{sid}.json', async () => {
    const { mock, adapter } = inProcess();
    await adapter.probe(live());
    expect(mock.requests('twilio')[0]?.path).toBe(`/2010-04-01/Accounts/${SID}.json`);
  });
});

describe('TwilioTelephony: never twice', () => {
  it.each(['accept-then-reset', 'accept-then-502', 'accept-then-503'])(
    '%s: looks the call up and returns it; exactly one call exists',
    async (fault) => {
      const { mock, adapter, trail } = inProcess({ script: [fault] });
      const call = await adapter.placeCall(request, live());
      expect(call).toMatchObject({ foundExisting: true, callSid: mock.twilioCalls[0]?.sid });
      expect(mock.twilioCalls).toHaveLength(1);
      expect(trail()).toEqual([`POST ${fault}`, 'GET ok']);
    },
  );

  it('a timeout after the call was accepted: found by the look-up', async () => {
    const { clock, mock, adapter } = inProcess({ script: ['slow:60000'] });
    const outcome = adapter.placeCall(request, live());
    await clock.advance(1_000);
    expect(await outcome).toMatchObject({ foundExisting: true });
    expect(mock.twilioCalls).toHaveLength(1);
  });

  it('a 503 that placed nothing: the error is thrown (safe to retry), and the retry looks up first', async () => {
    const { mock, adapter, trail } = inProcess({ script: ['503'] });
    const error = await failure(() => adapter.placeCall(request, live()));
    expect(error).toMatchObject({
      errorClass: 'transient',
      message: '503 20503: Service Unavailable',
    });
    expect(mock.twilioCalls).toHaveLength(0);
    // the retry, even without lookUpSince, looks up before placing: the call might show up late
    const call = await adapter.placeCall(request, live());
    expect(call.foundExisting).toBe(false);
    expect(trail()).toEqual(['POST 503', 'GET ok', 'GET ok', 'POST ok']);
    expect(mock.twilioCalls).toHaveLength(1);
  });

  it('the look-up fails: call_state_unknown (transient), and the next attempt finds the call', async () => {
    const { mock, adapter } = inProcess({ script: ['accept-then-reset'], lookupScript: ['503'] });
    const error = await failure(() => adapter.placeCall(request, live()));
    expect(error).toBeInstanceOf(TransientServiceError);
    expect(error).toMatchObject({ providerCode: 'call_state_unknown' });
    expect((error as Error).message).toMatch(
      /^connection closed by the server \(UND_ERR_SOCKET\); call state unknown/,
    );
    const retried = await adapter.placeCall(request, live()); // no lookUpSince: the adapter remembers
    expect(retried).toMatchObject({ foundExisting: true, callSid: mock.twilioCalls[0]?.sid });
    expect(mock.twilioCalls).toHaveLength(1);
  });

  it('a new adapter (after a restart) finds the call through lookUpSince', async () => {
    const { clock, mock, adapter } = inProcess({
      script: ['accept-then-reset'],
      lookupScript: ['reset'],
    });
    const since = new Date(clock.now());
    await failure(() => adapter.placeCall(request, live()));
    const restarted = new TwilioTelephony({
      baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).twilio,
      accountSid: SID,
      authToken: TOKEN,
      fromNumber: FROM,
      httpClient: createInProcessClient(mock),
      clock,
    });
    expect(await restarted.placeCall({ ...request, lookUpSince: since }, live())).toMatchObject({
      foundExisting: true,
    });
    expect(mock.twilioCalls).toHaveLength(1);
  });

  it("the caller's deadline cuts the create: its reason is thrown, and the next attempt finds the call", async () => {
    const { clock, mock, adapter } = inProcess({ script: ['slow:60000'] });
    const controller = new AbortController();
    const outcome = adapter.placeCall(request, controller.signal).catch((e: unknown) => e);
    await clock.advance(500);
    const reason = new TimeoutError('Twilio: attempt took longer than 500 ms', {
      service: 'Twilio',
      scope: 'attempt',
    });
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(mock.twilioCalls).toHaveLength(1);
    expect(await adapter.placeCall(request, live())).toMatchObject({ foundExisting: true });
    expect(mock.twilioCalls).toHaveLength(1);
  });

  it('a 429 is thrown without a look-up: it was never processed', async () => {
    const { adapter, trail } = inProcess({ script: ['20429'] });
    await failure(() => adapter.placeCall(request, live()));
    expect(trail()).toEqual(['POST 20429']);
  });
});

describe('TwilioTelephony: findCalls', () => {
  it('keeps only calls created since `since` (Twilio gives seconds; 5 s of clock skew allowed)', async () => {
    const { clock, adapter } = inProcess();
    const first = await adapter.placeCall(request, live());
    await clock.advance(60_000);
    const second = await adapter.placeCall({ ...request, contactId: 'c-2' }, live());
    const found = await adapter.findCalls(TO, new Date(clock.now() - 4_000), live());
    expect(found.map((call) => call.callSid)).toEqual([second.callSid]);
    const all = await adapter.findCalls(TO, new Date(clock.now() - 120_000), live());
    expect(all.map((call) => call.callSid)).toEqual([second.callSid, first.callSid]);
  });

  it('asks by To and From, not StartTime (a queued call has no start time yet)', async () => {
    const { mock, adapter } = inProcess();
    await adapter.findCalls(TO, new Date(), live());
    expect(mock.requests('twilio')[0]?.query).toEqual({ To: TO, From: FROM, PageSize: '50' });
  });
});
