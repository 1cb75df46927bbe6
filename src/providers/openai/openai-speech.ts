import type { ErrorInfo } from '../../resilience/index.ts';
import type { Audio, SpeechSynthesizer } from '../ports.ts';
import { ProviderHttp, type HttpOptions } from '../http/provider-http.ts';
import { audioFrom } from '../http/audio-answer.ts';
import { openAiDefaults, openAiHeaders } from './openai-script-writer.ts';

export interface OpenAiSpeechOptions extends HttpOptions {
  /** SDK convention: ends in `/v1` (default `https://api.openai.com/v1`). */
  baseUrl?: string | undefined;
  apiKey: string;
  /** Default `gpt-4o-mini-tts`. */
  model?: string | undefined;
  /** Default `alloy`. */
  voice?: string | undefined;
  /** Default `OpenAI TTS`: its own breaker, apart from the LLM's. */
  service?: string | undefined;
}

export const openAiSpeechDefaults = {
  model: 'gpt-4o-mini-tts',
  voice: 'alloy',
  service: 'OpenAI TTS',
};

/** The fallback TTS port over `POST /audio/speech` (MP3); probe `GET /models`. */
export class OpenAiSpeech implements SpeechSynthesizer {
  readonly service: string;
  readonly #http: ProviderHttp;
  readonly #apiKey: string;
  readonly #model: string;
  readonly #voice: string;

  constructor(options: OpenAiSpeechOptions) {
    const baseUrl = options.baseUrl ?? openAiDefaults.baseUrl;
    this.service = options.service ?? openAiSpeechDefaults.service;
    this.#apiKey = options.apiKey;
    this.#model = options.model ?? openAiSpeechDefaults.model;
    this.#voice = options.voice ?? openAiSpeechDefaults.voice;
    this.#http = new ProviderHttp('openai', this.service, baseUrl, [options.apiKey], options);
  }

  /** OpenAI detects the language from the text; `options.language` is not needed. */
  async synthesize(text: string, signal: AbortSignal): Promise<Audio> {
    const result = await this.#http.send(
      {
        method: 'POST',
        url: this.#http.url('/audio/speech'),
        headers: { ...openAiHeaders(this.#apiKey), accept: 'audio/mpeg' },
        body: JSON.stringify({
          model: this.#model,
          voice: this.#voice,
          input: text,
          response_format: 'mp3',
        }),
      },
      signal,
    );
    return audioFrom(this.service, result);
  }

  async probe(signal: AbortSignal): Promise<void> {
    await this.#http.send(
      { method: 'GET', url: this.#http.url('/models'), headers: openAiHeaders(this.#apiKey) },
      signal,
    );
  }
  /** `GET /models` needs a valid key: it proves a bad key replaced, not a spent quota. */
  probeProves(error: ErrorInfo): boolean {
    return error.status === 401;
  }
}
