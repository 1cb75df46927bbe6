import type { ErrorInfo } from '../../resilience/index.ts';
import type { ContactInfo, ScriptWriter } from '../ports.ts';
import { isRecord, stringField } from '../http/json.ts';
import { invalidAnswer, ProviderHttp, type HttpOptions } from '../http/provider-http.ts';
import { scriptMessages, type ScriptPromptOptions } from './script-prompt.ts';

export interface OpenAiScriptWriterOptions extends HttpOptions {
  /** SDK convention: ends in `/v1` (default `https://api.openai.com/v1`). May carry a gateway path. */
  baseUrl?: string | undefined;
  apiKey: string;
  /** Default `gpt-4o-mini`. */
  model?: string | undefined;
  /** Default `OpenAI`. */
  service?: string | undefined;
  /** A contact's notes are cut to this many characters in the prompt (default 2,000). */
  maxNotesChars?: number | undefined;
}

export const openAiDefaults = {
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  service: 'OpenAI',
  maxNotesChars: 2_000,
};

/** `Authorization: Bearer` and JSON headers, shared by the OpenAI adapters. */
export function openAiHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
}

/** The LLM port over an OpenAI-compatible `POST /chat/completions`; probe `GET /models`. */
export class OpenAiScriptWriter implements ScriptWriter {
  readonly service: string;
  readonly #http: ProviderHttp;
  readonly #apiKey: string;
  readonly #model: string;
  readonly #prompt: ScriptPromptOptions;

  constructor(options: OpenAiScriptWriterOptions) {
    const baseUrl = options.baseUrl ?? openAiDefaults.baseUrl;
    this.service = options.service ?? openAiDefaults.service;
    this.#apiKey = options.apiKey;
    this.#model = options.model ?? openAiDefaults.model;
    const maxNotesChars = options.maxNotesChars ?? openAiDefaults.maxNotesChars;
    if (!Number.isInteger(maxNotesChars) || maxNotesChars < 0) {
      throw new RangeError(`maxNotesChars must be a whole number >= 0, got ${maxNotesChars}`);
    }
    this.#prompt = { maxNotesChars };
    this.#http = new ProviderHttp('openai', this.service, baseUrl, [options.apiKey], options);
  }

  async writeScript(contact: ContactInfo, signal: AbortSignal): Promise<string> {
    const result = await this.#http.send(
      {
        method: 'POST',
        url: this.#http.url('/chat/completions'),
        headers: openAiHeaders(this.#apiKey),
        body: JSON.stringify({
          model: this.#model,
          messages: scriptMessages(contact, this.#prompt),
        }),
      },
      signal,
    );
    const script = firstChoiceText(this.#http.json(result))?.trim();
    if (!script) throw invalidAnswer(this.service, result.status, 'no script in the answer');
    return script;
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

/** `choices[0].message.content` of a chat completion. */
function firstChoiceText(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.choices)) return undefined;
  const choice: unknown = body.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) return undefined;
  return stringField(choice.message.content);
}
