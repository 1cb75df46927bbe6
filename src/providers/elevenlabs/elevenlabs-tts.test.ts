import { describe, expect, it } from 'vitest';
import { isTimeoutError, VirtualClock } from '../../resilience/index.ts';
import { expectNoSecrets, failure } from '../contract/contract-harness.ts';
import { mockHarness } from '../contract/mock-harness.ts';
import { describeSpeechSynthesizerContract } from '../contract/speech-synthesizer-contract.ts';
import type { FaultsConfig } from '../mock/faults.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { elevenLabsMockDefaults } from '../mock/elevenlabs-handler.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import { ElevenLabsTts, type ElevenLabsTtsOptions } from './elevenlabs-tts.ts';

const KEY = 'xi-test-ELEVEN-key-0003';
const live = (): AbortSignal => new AbortController().signal;

describeSpeechSynthesizerContract('ElevenLabsTts', () =>
  mockHarness(
    'elevenlabs',
    [KEY],
    (baseUrl) => new ElevenLabsTts({ baseUrl, apiKey: KEY, voiceId: 'voice-1' }),
  ),
);

function inProcess(
  faults: FaultsConfig['elevenlabs'] = {},
  options: Partial<ElevenLabsTtsOptions> = {},
  characterLimit?: number,
) {
  const clock = new VirtualClock();
  const mock = new MockProviders({
    clock,
    faults: { elevenlabs: faults },
    elevenLabs: { characterLimit },
  });
  const adapter = new ElevenLabsTts({
    baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).elevenlabs,
    apiKey: KEY,
    voiceId: 'voice/1',
    httpClient: createInProcessClient(mock),
    clock,
    ttfbMs: 1_000,
    ...options,
  });
  return { clock, mock, adapter };
}

describe('ElevenLabsTts', () => {
  it('posts the text to {base}/v1/text-to-speech/{voice_id} with the xi-api-key header', async () => {
    const { mock, adapter } = inProcess();
    await adapter.synthesize('Hello', live(), { language: 'de-DE' });
    const [request] = mock.requests('elevenlabs');
    expect(request?.path).toBe('/v1/text-to-speech/voice%2F1');
    expect(request?.query).toEqual({ output_format: 'mp3_44100_128' });
    expect(request?.headers['xi-api-key']).toBe('[redacted]');
    // eleven_multilingual_v2 refuses language_code: it is only sent to v2.5 models
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      text: 'Hello',
      model_id: 'eleven_multilingual_v2',
    });
  });

  it('sends language_code to a v2.5 model', async () => {
    const { mock, adapter } = inProcess({}, { modelId: 'eleven_flash_v2_5' });
    await adapter.synthesize('Hallo', live(), { language: 'de-DE' });
    expect(JSON.parse(mock.requests('elevenlabs')[0]?.body ?? '{}')).toMatchObject({
      language_code: 'de',
    });
  });

  it('keeps the seed message for a 503', async () => {
    const { adapter } = inProcess({ script: ['503'] });
    const error = await failure(() => adapter.synthesize('Hi', live()));
    expect(error).toMatchObject({
      message: '503 Service Unavailable',
      service: 'ElevenLabs',
      status: 503,
    });
  });

  it.each([
    ['concurrent_limit_exceeded', 'transient/concurrency'],
    ['too_many_concurrent_requests', 'transient/concurrency'],
    ['system_busy', 'transient'],
    ['invalid_api_key', 'permanent/service'],
    ['missing_permissions', 'permanent/service'],
    ['voice_not_found', 'permanent/request'],
    ['max_character_limit_exceeded', 'permanent/request'],
    ['validation_error', 'permanent/request'],
  ])('%s → %s', async (fault, errorClass) => {
    const { adapter } = inProcess({ script: [fault] });
    const error = await failure(() => adapter.synthesize('Hi', live()));
    expect(error).toMatchObject({ errorClass });
    expectNoSecrets(error, [KEY]);
  });

  it('quota_exceeded is permanent for the service, with the reset time as a hint', async () => {
    const { adapter } = inProcess({ script: ['quota_exceeded'] });
    const error = await failure(() => adapter.synthesize('Hi', live()));
    expect(error).toMatchObject({
      errorClass: 'permanent/service',
      providerCode: 'quota_exceeded',
      status: 401,
    });
    expect((error as Error).message).toMatch(
      /^401 quota_exceeded: This request exceeds your quota/,
    );
    // the mock's quota period (30 days) started with this first request; on whole seconds
    const hint = (error as { retryAfterMs: number }).retryAfterMs;
    expect(hint).toBeGreaterThanOrEqual(elevenLabsMockDefaults.quotaPeriodMs);
    expect(hint).toBeLessThan(elevenLabsMockDefaults.quotaPeriodMs + 1_000);
  });

  it('a 429 rate limit carries its Retry-After', async () => {
    const { adapter } = inProcess({ script: ['rate-limit:4'] });
    const error = await failure(() => adapter.synthesize('Hi', live()));
    expect(error).toMatchObject({ errorClass: 'transient', retryAfterMs: 4_000 });
  });

  it('probe: 401 missing_permissions (a TTS-only key) still means up', async () => {
    const { adapter } = inProcess({ probeScript: ['missing_permissions'] });
    await expect(adapter.probe(live())).resolves.toBeUndefined();
  });

  it('probe: a used-up character quota is quota_exceeded, so the breaker stays open', async () => {
    const { adapter } = inProcess({}, {}, 10);
    await adapter.synthesize('ten chars!', live());
    await failure(() => adapter.synthesize('one more', live()));
    const error = await failure(() => adapter.probe(live()));
    expect(error).toMatchObject({
      errorClass: 'permanent/service',
      providerCode: 'quota_exceeded',
    });
  });

  it('probe: fewer characters left than a request needs is a spent quota', async () => {
    const { adapter } = inProcess({}, {}, 100);
    await adapter.synthesize('x'.repeat(60), live()); // 40 left: not enough for another 60
    const error = await failure(() => adapter.probe(live()));
    expect(error).toMatchObject({ providerCode: 'quota_exceeded' });
  });

  it('probe: counts the characters used below the limit as up', async () => {
    const { adapter } = inProcess({}, {}, 100);
    await adapter.synthesize('short', live());
    await expect(adapter.probe(live())).resolves.toBeUndefined();
  });

  it('times out after ttfbMs, honouring the signal, on the injected clock', async () => {
    const { clock, adapter } = inProcess({ latencyMs: 5_000 });
    const outcome = adapter.synthesize('Hi', live()).catch((e: unknown) => e);
    await clock.advance(1_000);
    expect(isTimeoutError(await outcome)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});
