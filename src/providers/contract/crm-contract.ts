import { describe, expect, it } from 'vitest';
import type { CallRecord, Crm } from '../ports.ts';
import { describeCommonContract, useHarness, type HarnessFactory } from './contract-harness.ts';

export const contractRecord: CallRecord = {
  contactId: 'contact-1',
  contactName: 'Ada Lovelace',
  phone: '+14155550123',
  callSid: 'CA0123456789abcdef0123456789abcdef',
  status: 'queued',
  degraded: false,
  script: 'Hello Ada.',
  timestamp: Date.UTC(2026, 0, 29, 18, 17, 0),
};

/** The CRM port's contract: any Crm adapter must pass it. */
export function describeCrmContract(name: string, setup: HarnessFactory<Crm>): void {
  describe(`Crm contract: ${name}`, () => {
    const harness = useHarness(setup);

    it('records a call and returns its id', async () => {
      const { id } = await harness().adapter.recordCall(
        contractRecord,
        new AbortController().signal,
      );
      expect(id).toMatch(/\S/);
    });

    describeCommonContract(harness, (adapter, signal) =>
      adapter.recordCall(contractRecord, signal),
    );
  });
}
