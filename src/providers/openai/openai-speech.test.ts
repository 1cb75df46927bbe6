import { describe, expect, it } from 'vitest';
import { mockHarness } from '../contract/mock-harness.ts';
import { describeSpeechSynthesizerContract } from '../contract/speech-synthesizer-contract.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import { OpenAiSpeech } from './openai-speech.ts';

const KEY = 'sk-test-OPENAI-speech-0002';

describeSpeechSynthesizerContract('OpenAiSpeech', () =>
  mockHarness('openai', [KEY], (baseUrl) => new OpenAiSpeech({ baseUrl, apiKey: KEY })),
);

describe('OpenAiSpeech', () => {
  it('posts model, voice and input to {base}/audio/speech under its own service name', async () => {
    const mock = new MockProviders();
    const adapter = new OpenAiSpeech({
      baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).openai,
      apiKey: KEY,
      voice: 'nova',
      httpClient: createInProcessClient(mock),
    });
    const audio = await adapter.synthesize('Hello there', new AbortController().signal);
    expect(audio.contentType).toBe('audio/wav');
    const [request] = mock.requests('openai');
    expect(request?.path).toBe('/v1/audio/speech');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      model: 'gpt-4o-mini-tts',
      voice: 'nova',
      input: 'Hello there',
    });
    expect(adapter.service).toBe('OpenAI TTS');
  });
});
