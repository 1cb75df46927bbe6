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

let calls = 0;
/** A call SID no other operation of the suite used. */
const nextCallSid = (): string => `CA${String(++calls).padStart(32, '0')}`;

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

    it('a call recorded once is found, not recorded again, when the caller says it may exist', async () => {
      const { adapter } = harness();
      const record = { ...contractRecord, callSid: nextCallSid() };
      const first = await adapter.recordCall(record, new AbortController().signal);
      const again = await adapter.recordCall(record, new AbortController().signal, {
        lookUpFirst: true,
      });
      expect(again.id).toBe(first.id);
    });

    // each operation records a new call: one an earlier test left in doubt would be looked up
    // first, and the fault meant for the write would land on the look-up
    describeCommonContract(harness, (adapter, signal) =>
      adapter.recordCall({ ...contractRecord, callSid: nextCallSid() }, signal),
    );
  });
}
