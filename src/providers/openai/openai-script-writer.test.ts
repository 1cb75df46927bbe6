import { describe, expect, it } from 'vitest';
import { isTimeoutError, VirtualClock } from '../../resilience/index.ts';
import { expectNoSecrets, failure } from '../contract/contract-harness.ts';
import { mockHarness } from '../contract/mock-harness.ts';
import {
  contractContact,
  describeScriptWriterContract,
} from '../contract/script-writer-contract.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import { OpenAiScriptWriter } from './openai-script-writer.ts';

const KEY = 'sk-test-OPENAI-key-0001';
const live = (): AbortSignal => new AbortController().signal;

describeScriptWriterContract('OpenAiScriptWriter', () =>
  mockHarness('openai', [KEY], (baseUrl) => new OpenAiScriptWriter({ baseUrl, apiKey: KEY })),
);

describe('OpenAiScriptWriter', () => {
  const inProcess = (script: string[] = [], options: { maxNotesChars?: number } = {}) => {
    const clock = new VirtualClock();
    const mock = new MockProviders({ clock, faults: { openai: { script } } });
    const adapter = new OpenAiScriptWriter({
      baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).openai,
      apiKey: KEY,
      model: 'gpt-test',
      httpClient: createInProcessClient(mock),
      clock,
      ttfbMs: 1_000,
      ...options,
    });
    return { clock, mock, adapter };
  };

  /** The notes the adapter sent in its last request. */
  const notesSent = (mock: MockProviders): string => {
    const body = JSON.parse(mock.requests('openai').at(-1)?.body ?? '{}') as {
      messages: Array<{ content: string }>;
    };
    return /Notes: ([^\n]*)/.exec(body.messages[1]?.content ?? '')?.[1] ?? '';
  };

  it('caps the notes it sends: 2,000 characters by default, or maxNotesChars', async () => {
    const contact = { ...contractContact, notes: 'likes long calls. '.repeat(1_000) };
    const byDefault = inProcess();
    await byDefault.adapter.writeScript(contact, live());
    expect(notesSent(byDefault.mock)).toHaveLength(2_000);
    expect(notesSent(byDefault.mock).endsWith('…')).toBe(true);
    const capped = inProcess([], { maxNotesChars: 10 });
    await capped.adapter.writeScript(contact, live());
    expect(notesSent(capped.mock)).toBe('likes lon…');
  });

  it('posts the model and the messages to {base}/chat/completions, keeping the base path, without the phone number', async () => {
    const { mock, adapter } = inProcess();
    await adapter.writeScript(contractContact, live());
    const [request] = mock.requests('openai');
    expect(request?.path).toBe('/v1/chat/completions');
    const body = JSON.parse(request?.body ?? '{}') as {
      model: string;
      messages: Array<{ content: string }>;
    };
    expect(body.model).toBe('gpt-test');
    expect(JSON.stringify(body.messages)).toContain('Ada Lovelace');
    expect(JSON.stringify(body.messages)).not.toContain(contractContact.phone);
    expect(request?.headers.authorization).toBe('[redacted]');
  });

  it('429 insufficient_quota is permanent for the service', async () => {
    const { adapter } = inProcess(['insufficient_quota']);
    const error = await failure(() => adapter.writeScript(contractContact, live()));
    expect(error).toMatchObject({
      errorClass: 'permanent/service',
      providerCode: 'insufficient_quota',
      status: 429,
    });
  });

  it('429 rate_limit_exceeded is transient, waiting for the exhausted limit to reset', async () => {
    const { adapter } = inProcess(['rate_limit_exceeded']);
    const error = await failure(() => adapter.writeScript(contractContact, live()));
    expect(error).toMatchObject({ errorClass: 'transient', retryAfterMs: 2_000 });
  });

  it('401 invalid_api_key: the echoed key never reaches the message', async () => {
    const { adapter } = inProcess(['invalid_api_key']);
    const error = await failure(() => adapter.writeScript(contractContact, live()));
    expect((error as Error).message).toMatch(
      /^401 invalid_api_key: Incorrect API key provided: sk-\[REDACTED\]/,
    );
    expect((error as Error).message).not.toContain('0001');
    expectNoSecrets(error, [KEY]);
  });

  it('an answer without a script is a transient failure', async () => {
    const { adapter } = inProcess(['empty']);
    const error = await failure(() => adapter.writeScript(contractContact, live()));
    expect(error).toMatchObject({ errorClass: 'transient', message: '200 OK: unparseable body' });
  });

  it('times out after ttfbMs of silence, on the injected clock', async () => {
    const { clock, adapter } = inProcess(['slow:60000']);
    const outcome = adapter.writeScript(contractContact, live()).catch((e: unknown) => e);
    await clock.advance(1_000);
    const error = await outcome;
    expect(isTimeoutError(error)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('probes GET {base}/models', async () => {
    const { mock, adapter } = inProcess();
    await adapter.probe(live());
    expect(mock.requests('openai').map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
  });
});
