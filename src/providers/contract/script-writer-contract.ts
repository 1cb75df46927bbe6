import { describe, expect, it } from 'vitest';
import type { ContactInfo, ScriptWriter } from '../ports.ts';
import { describeCommonContract, useHarness, type HarnessFactory } from './contract-harness.ts';

export const contractContact: ContactInfo = {
  id: 'contact-1',
  name: 'Ada Lovelace',
  phone: '+14155550123',
  company: 'Analytical Engines Ltd',
  language: 'en',
};

/** The LLM port's contract: any ScriptWriter adapter must pass it. */
export function describeScriptWriterContract(
  name: string,
  setup: HarnessFactory<ScriptWriter>,
): void {
  describe(`ScriptWriter contract: ${name}`, () => {
    const harness = useHarness(setup);

    it('writes a non-empty script for a contact', async () => {
      const script = await harness().adapter.writeScript(
        contractContact,
        new AbortController().signal,
      );
      expect(script.trim().length).toBeGreaterThan(0);
    });

    describeCommonContract(harness, (adapter, signal) =>
      adapter.writeScript(contractContact, signal),
    );
  });
}
