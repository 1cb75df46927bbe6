import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import type { FaultsConfig } from './faults.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from './in-process-client.ts';
import { MockProviders } from './mock-providers.ts';

/** The mock ElevenLabs over the in-process client: its answers as they go over the wire. */
function elevenLabs(characterLimit: number, faults: FaultsConfig['elevenlabs'] = {}) {
  const mock = new MockProviders({
    clock: new VirtualClock(),
    elevenLabs: { characterLimit },
    faults: { elevenlabs: faults },
  });
  const client = createInProcessClient(mock);
  const speak = async (text: string): Promise<{ status: number; body?: unknown }> => {
    const result = await client(
      {
        method: 'POST',
        url: `${mock.baseUrls(IN_PROCESS_ORIGIN).elevenlabs}/v1/text-to-speech/voice-1`,
        headers: { 'xi-api-key': 'xi-key', 'content-type': 'application/json' },
        body: JSON.stringify({ text, model_id: 'eleven_multilingual_v2' }),
      },
      new AbortController().signal,
    );
    // audio on success, a JSON error otherwise
    const body =
      result.status === 200 ? undefined : JSON.parse(Buffer.from(result.body).toString());
    return { status: result.status, body: body as unknown };
  };
  return { speak };
}

/** ElevenLabs' own words (its 401 as of early 2026): the plan's quota, what is left, what is asked. */
const quotaExceeded = (quota: number, remaining: number, required: number) => ({
  detail: {
    status: 'quota_exceeded',
    message: `This request exceeds your quota of ${quota}. You have ${remaining} credits remaining, while ${required} credits are required for this request.`,
  },
});

describe('the mock ElevenLabs quota', () => {
  it('refuses a request past the configured quota with its real numbers', async () => {
    const { speak } = elevenLabs(100);
    expect((await speak('x'.repeat(60))).status).toBe(200);
    expect(await speak('y'.repeat(50))).toEqual({ status: 401, body: quotaExceeded(100, 40, 50) });
    // nothing was spent on the refused request
    expect(await speak('z'.repeat(41))).toEqual({ status: 401, body: quotaExceeded(100, 40, 41) });
    expect((await speak('z'.repeat(40))).status).toBe(200);
  });

  it('states the configured quota and what is left in an injected quota_exceeded too', async () => {
    const { speak } = elevenLabs(2_000, { script: ['ok', 'quota_exceeded'] });
    expect((await speak('x'.repeat(300))).status).toBe(200);
    expect(await speak('Hello there')).toEqual({
      status: 401,
      body: quotaExceeded(2_000, 1_700, 11),
    });
  });
});
