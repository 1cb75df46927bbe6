import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMockProviders, type RunningMockProviders } from './cli-mock-providers.ts';
import { sineWav } from './audio-clip.ts';
import { formatEnvExports } from './cli-mock-providers.ts';

let running: RunningMockProviders;
beforeAll(async () => {
  running = await runMockProviders({ port: 0 });
});
beforeEach(() => running.mock.reset());
afterAll(() => running.close());

const admin = (path: string, body?: unknown) =>
  fetch(`${running.origin}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const tts = () =>
  fetch(`${running.baseUrls.elevenlabs}/v1/text-to-speech/v1`, {
    method: 'POST',
    headers: { 'xi-api-key': 'secret-xi-key', 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'Hello' }),
  });

describe('mock providers over HTTP', () => {
  it('serves each provider under its path prefix', () => {
    expect(running.baseUrls).toEqual({
      openai: `${running.origin}/openai/v1`,
      elevenlabs: `${running.origin}/elevenlabs`,
      twilio: `${running.origin}/twilio`,
      hubspot: `${running.origin}/hubspot`,
    });
    expect(running.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('changes faults at run time through POST /__faults (a demo breaking ElevenLabs)', async () => {
    expect((await tts()).status).toBe(200);
    const set = await admin('/__faults', { elevenlabs: { outages: [{ durationMs: 60_000 }] } });
    expect(set.status).toBe(200);
    const down = await tts();
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ detail: 'Service Unavailable' });
    await admin('/__faults', { elevenlabs: null });
    expect((await tts()).status).toBe(200);
  });

  it('refuses an unknown fault code with a 400 that says why', async () => {
    const response = await admin('/__faults', { twilio: { script: ['quota_exceeded'] } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "twilio has no error named 'quota_exceeded'" });
  });

  it('refuses with a 400 that says why a body that would inject nothing', async () => {
    const refusals: Array<[unknown, RegExp]> = [
      [{}, /names no provider/],
      [{ seed: 7 }, /names no provider/],
      [{ service: 'elevenlabs', fault: '503' }, /service/],
      [{ elevenlabs: {} }, /elevenlabs sets no fault/],
      [{ elevenlabs: { outage: { durationMs: 1000 } } }, /outage/],
      [{ elevenlabs: { outages: [{ durationMs: 0 }] } }, /covers no time/],
      [{ elevenlabs: { outages: [{ duration: 5000 }] } }, /duration/],
    ];
    for (const [body, why] of refusals) {
      const response = await admin('/__faults', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(why);
    }
    expect(await (await admin('/__faults')).json()).toEqual({ faults: {} });
    expect((await tts()).status).toBe(200);
  });

  it('takes an outage window, an error rate, a slow first byte and a latency; POST /__reset clears them', async () => {
    for (const body of [
      { elevenlabs: { outages: [{ afterMs: 0, durationMs: 60_000, fault: '503' }] } },
      { seed: 1, openai: { errorRate: 0.1, errorFault: 'rate-limit:2' } },
      { twilio: { script: ['slow:3000', 'accept-then-reset'] } },
      { hubspot: { latencyMs: 250 } },
    ]) {
      expect((await admin('/__faults', body)).status, JSON.stringify(body)).toBe(200);
    }
    expect((await tts()).status).toBe(503);
    expect((await admin('/__reset', {})).status).toBe(200);
    expect(await (await admin('/__faults')).json()).toEqual({ faults: {} });
    expect((await tts()).status).toBe(200);
  });

  it('records every request with auth headers redacted (GET /__requests)', async () => {
    await tts();
    const { requests } = (await (await admin('/__requests?provider=elevenlabs')).json()) as {
      requests: Array<Record<string, unknown> & { headers: Record<string, string> }>;
    };
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      provider: 'elevenlabs',
      method: 'POST',
      path: '/v1/text-to-speech/v1',
      fault: 'ok',
    });
    expect(requests[0]?.headers['xi-api-key']).toBe('[redacted]');
    expect(JSON.stringify(requests)).not.toContain('secret-xi-key');
  });

  it('resets the connection on a reset fault', async () => {
    running.mock.setFaults({ elevenlabs: { script: ['reset'] } });
    const error = await tts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toBe('UND_ERR_SOCKET');
  });

  it('GET /__calls tells how many calls were created and the most to one number', async () => {
    const place = (to: string) =>
      fetch(`${running.baseUrls.twilio}/2010-04-01/Accounts/AC1/Calls.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('AC1:token').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          To: to,
          From: '+15005550006',
          Twiml: '<Response/>',
        }).toString(),
      });
    expect(await (await admin('/__calls')).json()).toEqual({
      total: 0,
      numbers: 0,
      maxPerNumber: 0,
    });
    for (const to of ['+14155550101', '+14155550102', '+14155550101']) {
      expect((await place(to)).status).toBe(201);
    }
    expect(await (await admin('/__calls')).json()).toEqual({
      total: 3,
      numbers: 2,
      maxPerNumber: 2,
    });
  });

  it('GET /__concurrency tells the most operations answered at once, per provider', async () => {
    running.mock.setFaults({ elevenlabs: { latencyMs: 50 } });
    await Promise.all([tts(), tts(), tts()]);
    await fetch(`${running.baseUrls.elevenlabs}/v1/user`, { headers: { 'xi-api-key': 'k' } });
    expect(await (await admin('/__concurrency')).json()).toEqual({
      operations: { elevenlabs: { now: 0, most: 3 } },
    });
  });

  it('POST /__reset clears faults, requests and state', async () => {
    running.mock.setFaults({ elevenlabs: { script: ['503'] } });
    await tts();
    expect((await admin('/__reset', {})).status).toBe(200);
    expect(running.mock.requests()).toEqual([]);
    expect((await tts()).status).toBe(200);
  });

  it('answers 404 for an unknown provider or route', async () => {
    expect((await fetch(`${running.origin}/nope/x`)).status).toBe(404);
    expect((await fetch(`${running.baseUrls.hubspot}/crm/v3/objects/deals`)).status).toBe(404);
  });

  it('prints the export lines for a shell', () => {
    const lines = formatEnvExports(running.baseUrls).split('\n');
    expect(lines).toContain(`export OPENAI_BASE_URL='${running.baseUrls.openai}'`);
    expect(lines).toContain(`export TWILIO_BASE_URL='${running.baseUrls.twilio}'`);
  });
});

describe('mock audio clip', () => {
  it('is a valid PCM WAV of the asked length', () => {
    const wav = Buffer.from(sineWav({ durationMs: 100, sampleRate: 8000 }));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt32LE(40)).toBe(1600); // 800 samples × 2 bytes
    expect(wav.readInt16LE(44 + 2 * 5)).not.toBe(0); // a tone, not silence
  });
});
