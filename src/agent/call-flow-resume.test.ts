import { afterEach, describe, expect, it } from 'vitest';
import type { Checkpoints } from '../queue/index.ts';
import {
  callLookUps,
  contactNo,
  createFlowHarness,
  crmContactId,
  operations,
  type FlowHarness,
} from './flow-harness.test-support.ts';

/**
 * A contact resumed after a crash: another worker claimed it, checkpointed some steps and
 * vanished; once its lease expires the campaign takes the contact over and repeats no step.
 */

let harness: FlowHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const SCRIPT = 'Hello Contact 1, this script was written before the crash.';
/** The audio the crashed worker made (and stored) before it died. */
const AUDIO = { bytes: new Uint8Array([1, 2, 3]), contentType: 'audio/wav' };

/** The checkpoints of a worker that got as far as starting the call (at `at`). */
async function upToTheCall(h: FlowHarness, at = h.clock.now()): Promise<Checkpoints> {
  return {
    script: SCRIPT,
    scriptDegraded: false,
    voiceProvider: 'ElevenLabs',
    audioRef: await h.audio.save(AUDIO),
    callStartedAt: at,
  };
}

/** A worker that claims Contact-1, checkpoints `steps` and dies; its lease lasts 60 s. */
async function crashedWorker(h: FlowHarness, steps: Checkpoints): Promise<void> {
  const claimed = await h.queue.claim('crashed-worker', 60_000);
  if (claimed?.contact.id !== contactNo(1).id) throw new Error('Contact-1 was not claimed');
  await h.queue.checkpoint(claimed.contact.id, claimed.leaseToken, steps);
}

describe('a contact resumed from its checkpoints', () => {
  it('with script, audio and call sid → only the CRM step runs', async () => {
    const h = (harness = await createFlowHarness({ contacts: 1 }));
    const callSid = `CA${'0123456789abcdef'.repeat(2)}`;
    const t0 = h.clock.now();
    await crashedWorker(h, { ...(await upToTheCall(h, t0)), callSid });
    expect(await h.finish()).toBe('drained');

    // taken over once the lease ran out, not before
    expect(h.clock.now()).toBeGreaterThanOrEqual(t0 + 60_000);
    const status = await h.queue.status(contactNo(1).id);
    expect(status).toMatchObject({ state: 'completed' });
    expect(status?.checkpoints).toMatchObject({ script: SCRIPT, callSid, crmDone: 'recorded' });
    expect(operations(h.mock, 'openai')).toEqual([]);
    expect(operations(h.mock, 'elevenlabs')).toEqual([]);
    expect(operations(h.mock, 'twilio')).toEqual([]);
    expect(callLookUps(h.mock)).toEqual([]);
    expect(h.mock.crmRecords).toHaveLength(1);
    const [record] = h.mock.crmRecords;
    expect(record && crmContactId(record)).toBe(contactNo(1).id);
    expect(record?.properties.hs_call_body).toContain(`Call SID: ${callSid}`);
    expect(record?.properties.hs_call_body).toContain(SCRIPT);
    const served = h.log.filter((e) => e.source === 'succeeded').map((e) => e.service);
    expect(served).toEqual(['HubSpot']);
  });

  it('with the script only → its own audio, under a fresh random name (a stale worker cannot overwrite it)', async () => {
    const h = (harness = await createFlowHarness({ contacts: 1 }));
    await crashedWorker(h, { script: SCRIPT, scriptDegraded: false });
    expect(await h.finish()).toBe('drained');
    const status = await h.queue.status(contactNo(1).id);
    expect(status?.state).toBe('completed');
    // every save gets a new random name: the audio of claim 2 cannot collide with claim 1's
    expect(status?.checkpoints.audioRef).toMatch(/^[0-9a-f-]{36}\.wav$/);
    expect(operations(h.mock, 'openai')).toEqual([]);
    expect(operations(h.mock, 'elevenlabs')).toHaveLength(1);
  });

  it('with the call started but no sid (crash mid-call) → the call is looked up, not placed again', async () => {
    const h = (harness = await createFlowHarness({ contacts: 1 }));
    const contact = contactNo(1);
    await crashedWorker(h, await upToTheCall(h));
    // The crashed process placed the call: Twilio created it, the connection broke, the
    // look-up failed too, and the process died before it learned the sid.
    h.mock.setFaults({ twilio: { script: ['accept-then-reset'], lookupScript: ['reset'] } });
    const crashed = h.makeProviders().telephony;
    await expect(
      crashed.placeCall(
        { contactId: contact.id, to: contact.phone, script: SCRIPT },
        new AbortController().signal,
      ),
    ).rejects.toThrow(/call state unknown/);
    expect(h.mock.twilioCalls).toHaveLength(1);
    const [placed] = h.mock.twilioCalls;

    expect(await h.finish()).toBe('drained');

    expect(h.mock.twilioCalls).toHaveLength(1);
    expect(operations(h.mock, 'twilio')).toHaveLength(1);
    const status = await h.queue.status(contact.id);
    expect(status).toMatchObject({ state: 'completed' });
    expect(status?.checkpoints.callSid).toBe(placed?.sid);
    // one look-up by the crashed process, one by the campaign that resumed the contact
    expect(callLookUps(h.mock).map((r) => r.fault)).toEqual(['reset', 'ok']);
    expect(operations(h.mock, 'openai')).toEqual([]);
    expect(operations(h.mock, 'elevenlabs')).toEqual([]);
    expect(h.mock.crmRecords[0]?.properties.hs_call_body).toContain(`Call SID: ${placed?.sid}`);
  });

  it('with the CRM record written but not the completion (crash at the end) → the record is found, not written twice', async () => {
    const h = (harness = await createFlowHarness({ contacts: 1 }));
    const contact = contactNo(1);
    const callSid = `CA${'fedcba9876543210'.repeat(2)}`;
    await crashedWorker(h, { ...(await upToTheCall(h)), callSid });
    // the crashed process wrote the record, then died before the completion was saved
    await h.makeProviders().crm.recordCall(
      {
        contactId: contact.id,
        contactName: contact.name,
        phone: contact.phone,
        callSid,
        status: 'queued',
        degraded: false,
        script: SCRIPT,
        timestamp: h.clock.now(),
      },
      new AbortController().signal,
    );

    expect(await h.finish()).toBe('drained');

    expect(h.mock.crmRecords).toHaveLength(1);
    expect(await h.queue.status(contact.id)).toMatchObject({
      state: 'completed',
      checkpoints: { crmDone: 'recorded' },
    });
  });
});
