import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../providers/index.ts';
import { CrmOutbox } from './crm-outbox.ts';
import { contactNo, createFlowHarness, type FlowHarness } from './flow-harness.test-support.ts';

let harness: FlowHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const live = (): AbortSignal => new AbortController().signal;

function recordOf(n: number): CallRecord {
  const contact = contactNo(n);
  return {
    contactId: contact.id,
    contactName: contact.name,
    phone: contact.phone,
    callSid: `CA${String(n).padStart(32, '0')}`,
    status: 'queued',
    degraded: false,
    script: 'Hello.',
    timestamp: 0,
  };
}

/** An outbox over a new set of adapters: the process that replays is not the one that wrote. */
function outboxOfAnotherProcess(h: FlowHarness): CrmOutbox {
  return new CrmOutbox({
    crm: { provider: h.makeProviders().crm, policy: h.policy('HubSpot') },
    queue: h.queue,
    events: h.campaign.events,
    clock: h.clock,
  });
}

describe('CrmOutbox', () => {
  it('a record whose write was processed but its answer lost is not written again by another process', async () => {
    const h = (harness = await createFlowHarness({
      contacts: 1,
      faults: { hubspot: { script: ['accept-then-reset'] } },
    }));
    const record = recordOf(1);
    // the process that made the call: HubSpot wrote the record, the answer never came back
    const lost = await h.providers.crm.recordCall(record, live()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost).toBeDefined();
    await h.queue.addToOutbox(record.contactId, record);
    expect(h.mock.crmRecords).toHaveLength(1);

    // that process stopped; the next run (or another worker of the fleet) replays the outbox
    expect(await outboxOfAnotherProcess(h).replay()).toBe(1);

    expect(h.mock.crmRecords).toHaveLength(1);
    expect(await h.queue.outboxSize()).toBe(0);
  });

  it('two entries of one call (a contact resumed after its record went to the outbox) make one record', async () => {
    const h = (harness = await createFlowHarness({ contacts: 1 }));
    const record = recordOf(1);
    await h.queue.addToOutbox(record.contactId, record);
    await h.queue.addToOutbox(record.contactId, { ...record, timestamp: 1 });

    expect(await outboxOfAnotherProcess(h).replay()).toBe(2);

    expect(h.mock.crmRecords).toHaveLength(1);
    expect(await h.queue.outboxSize()).toBe(0);
  });

  it('a record HubSpot has none of is written', async () => {
    const h = (harness = await createFlowHarness({ contacts: 2 }));
    await h.queue.addToOutbox('Contact-1', recordOf(1));
    await h.queue.addToOutbox('Contact-2', recordOf(2));

    expect(await outboxOfAnotherProcess(h).replay()).toBe(2);

    expect(h.mock.crmRecords.map((r) => r.properties.hs_call_external_id)).toEqual([
      recordOf(1).callSid,
      recordOf(2).callSid,
    ]);
  });
});
