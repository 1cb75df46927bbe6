import { describe, expect, it } from 'vitest';
import { PermanentServiceError, TransientServiceError } from './errors.ts';
import { withFallback, type Alternative } from './fallback.ts';

const failing = (name: string, error: unknown, tried: string[]): Alternative<string> => ({
  name,
  run: async () => {
    tried.push(name);
    throw error;
  },
});
const answering = (name: string, value: string, tried: string[]): Alternative<string> => ({
  name,
  run: async () => {
    tried.push(name);
    return value;
  },
});

describe('withFallback', () => {
  it('returns the first answer, not degraded, without trying the others', async () => {
    const tried: string[] = [];
    const result = await withFallback([
      answering('elevenlabs', 'audio-1', tried),
      answering('openai-tts', 'audio-2', tried),
    ]);
    expect(result).toEqual({
      value: 'audio-1',
      source: 'elevenlabs',
      degraded: false,
      failures: [],
    });
    expect(tried).toEqual(['elevenlabs']);
  });

  it('tries alternatives in order and reports the failures before the answer', async () => {
    const tried: string[] = [];
    const result = await withFallback([
      failing('elevenlabs', new TransientServiceError('503', { service: 'elevenlabs' }), tried),
      failing('openai-tts', new Error('ECONNRESET'), tried),
      answering('template', 'canned', tried),
    ]);
    expect(tried).toEqual(['elevenlabs', 'openai-tts', 'template']);
    expect(result.value).toBe('canned');
    expect(result.source).toBe('template');
    expect(result.degraded).toBe(true);
    expect(result.failures).toEqual([
      {
        source: 'elevenlabs',
        error: expect.objectContaining({ errorClass: 'transient', message: '503' }),
      },
      {
        source: 'openai-tts',
        error: expect.objectContaining({ errorClass: 'unknown', message: 'ECONNRESET' }),
      },
    ]);
  });

  it('throws the last error when every alternative failed', async () => {
    const tried: string[] = [];
    const last = new Error('template missing');
    await expect(
      withFallback([failing('a', new Error('first'), tried), failing('b', last, tried)]),
    ).rejects.toBe(last);
    expect(tried).toEqual(['a', 'b']);
  });

  it('stops at once when shouldFallback says no', async () => {
    const tried: string[] = [];
    const badNumber = new PermanentServiceError('21211', { service: 'tel', scope: 'request' });
    await expect(
      withFallback([failing('a', badNumber, tried), answering('b', 'x', tried)], {
        shouldFallback: (e) => !(e instanceof PermanentServiceError),
      }),
    ).rejects.toBe(badNumber);
    expect(tried).toEqual(['a']);
  });

  it('stops when the caller aborted, and passes the signal to each alternative', async () => {
    const controller = new AbortController();
    const received: Array<AbortSignal | undefined> = [];
    const boom = new Error('aborted');
    await expect(
      withFallback(
        [
          {
            name: 'a',
            run: async (signal) => {
              received.push(signal);
              controller.abort();
              throw boom;
            },
          },
          { name: 'b', run: async () => 'never' },
        ],
        { signal: controller.signal },
      ),
    ).rejects.toBe(boom);
    expect(received).toEqual([controller.signal]);
  });

  it('needs at least one alternative', async () => {
    await expect(withFallback([])).rejects.toThrow(RangeError);
  });
});
