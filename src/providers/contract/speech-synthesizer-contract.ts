import { describe, expect, it } from 'vitest';
import { isServiceError } from '../../resilience/index.ts';
import type { SpeechSynthesizer } from '../ports.ts';
import {
  describeCommonContract,
  failure,
  useHarness,
  type HarnessFactory,
} from './contract-harness.ts';

const TEXT = 'Hello Ada, this is a short test call.';

/** The TTS port's contract: any SpeechSynthesizer adapter must pass it. */
export function describeSpeechSynthesizerContract(
  name: string,
  setup: HarnessFactory<SpeechSynthesizer>,
): void {
  describe(`SpeechSynthesizer contract: ${name}`, () => {
    const harness = useHarness(setup);

    it('returns audio bytes with an audio content type', async () => {
      const audio = await harness().adapter.synthesize(TEXT, new AbortController().signal, {
        language: 'en',
      });
      expect(audio.bytes.byteLength).toBeGreaterThan(0);
      expect(audio.contentType).toMatch(/^audio\//);
    });

    it('a success without audio is a transient failure', async () => {
      const h = harness();
      await h.failNext('empty');
      const error = await failure(() => h.adapter.synthesize(TEXT, new AbortController().signal));
      expect(isServiceError(error) && error.errorClass).toBe('transient');
    });

    describeCommonContract(harness, (adapter, signal) => adapter.synthesize(TEXT, signal));
  });
}
