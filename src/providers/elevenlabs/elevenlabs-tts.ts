import { isPermanentError, PermanentServiceError, type ErrorInfo } from '../../resilience/index.ts';
import type { Audio, SpeechSynthesizer } from '../ports.ts';
import { audioFrom } from '../http/audio-answer.ts';
import { ProviderHttp, type HttpOptions } from '../http/provider-http.ts';
import { quotaResetAt, quotaExhausted } from './subscription.ts';

export interface ElevenLabsTtsOptions extends HttpOptions {
  /** Default `https://api.elevenlabs.io`; may carry a gateway path. */
  baseUrl?: string | undefined;
  apiKey: string;
  voiceId: string;
  /** Default `eleven_multilingual_v2`. */
  modelId?: string | undefined;
  /** Default `mp3_44100_128`. */
  outputFormat?: string | undefined;
  /** Default `ElevenLabs`. */
  service?: string | undefined;
}

export const elevenLabsDefaults = {
  baseUrl: 'https://api.elevenlabs.io',
  modelId: 'eleven_multilingual_v2',
  outputFormat: 'mp3_44100_128',
  service: 'ElevenLabs',
};

/** Only the v2.5 models (turbo, flash) accept `language_code`; the others answer 400 to it. */
const acceptsLanguageCode = (modelId: string): boolean => /_v2_5$/.test(modelId);

/**
 * The TTS port over `POST /v1/text-to-speech/{voice_id}`; probe `GET /v1/user`, where a key
 * restricted to TTS answers 401 `missing_permissions` (up, key valid) and an exhausted
 * character quota is reported as `quota_exceeded` so the breaker stays open until the reset.
 */
export class ElevenLabsTts implements SpeechSynthesizer {
  readonly service: string;
  readonly #http: ProviderHttp;
  readonly #apiKey: string;
  readonly #voiceId: string;
  readonly #modelId: string;
  readonly #outputFormat: string;
  /** The longest text asked for so far: what one more request may need of the quota. */
  #longestText = 0;

  constructor(options: ElevenLabsTtsOptions) {
    const baseUrl = options.baseUrl ?? elevenLabsDefaults.baseUrl;
    this.service = options.service ?? elevenLabsDefaults.service;
    this.#apiKey = options.apiKey;
    this.#voiceId = options.voiceId;
    this.#modelId = options.modelId ?? elevenLabsDefaults.modelId;
    this.#outputFormat = options.outputFormat ?? elevenLabsDefaults.outputFormat;
    this.#http = new ProviderHttp('elevenlabs', this.service, baseUrl, [options.apiKey], options);
  }

  async synthesize(
    text: string,
    signal: AbortSignal,
    options: { language?: string | undefined } = {},
  ): Promise<Audio> {
    this.#longestText = Math.max(this.#longestText, text.length);
    const language = options.language?.split('-')[0]?.toLowerCase();
    const body = {
      text,
      model_id: this.#modelId,
      ...(language && acceptsLanguageCode(this.#modelId) ? { language_code: language } : {}),
    };
    const result = await this.#http.raw(
      {
        method: 'POST',
        url: this.#http.url(`/v1/text-to-speech/${encodeURIComponent(this.#voiceId)}`, {
          output_format: this.#outputFormat,
        }),
        headers: { ...this.#headers(), 'content-type': 'application/json', accept: 'audio/mpeg' },
        body: JSON.stringify(body),
      },
      signal,
    );
    if (result.status < 200 || result.status > 299) {
      const error = this.#http.classify(result);
      throw error.providerCode === 'quota_exceeded'
        ? await this.#withResetHint(error, signal)
        : error;
    }
    return audioFrom(this.service, result);
  }

  async probe(signal: AbortSignal): Promise<void> {
    const result = await this.#http.raw(
      { method: 'GET', url: this.#http.url('/v1/user'), headers: this.#headers() },
      signal,
    );
    if (result.status >= 200 && result.status <= 299) {
      const user = this.#http.json(result);
      if (quotaExhausted(user, this.#longestText)) {
        throw this.#quotaError(
          'quota_exceeded: character quota used up',
          undefined,
          quotaResetAt(user),
        );
      }
      return;
    }
    const error = this.#http.classify(result);
    if (error.providerCode === 'missing_permissions') return; // a TTS-only key: up, and valid
    throw error;
  }

  /**
   * `GET /v1/user` needs a valid key and reads the character quota: it proves a revoked key
   * replaced and a quota refilled. Not a missing TTS permission: it passes on such a key.
   */
  probeProves(error: ErrorInfo): boolean {
    return error.providerCode === 'invalid_api_key' || error.providerCode === 'quota_exceeded';
  }

  #headers(): Record<string, string> {
    return { 'xi-api-key': this.#apiKey };
  }

  /** Adds when the quota resets (`GET /v1/user/subscription`), if that can be read. */
  async #withResetHint(error: Error, signal: AbortSignal): Promise<Error> {
    if (!isPermanentError(error)) return error;
    try {
      const result = await this.#http.send(
        { method: 'GET', url: this.#http.url('/v1/user/subscription'), headers: this.#headers() },
        signal,
      );
      const resetAt = quotaResetAt({ subscription: this.#http.json(result) });
      return resetAt === undefined ? error : this.#quotaError(error.message, error.status, resetAt);
    } catch {
      return error; // the hint is a nicety; the quota error is what matters
    }
  }

  #quotaError(message: string, status: number | undefined, resetAt: number | undefined): Error {
    const now = this.#http.clock.now();
    const retryAfterMs = resetAt === undefined ? undefined : Math.max(0, resetAt - now);
    return new PermanentServiceError(message, {
      service: this.service,
      scope: 'service',
      status,
      providerCode: 'quota_exceeded',
      retryAfterMs,
    });
  }
}
