import type { CallRecord } from '../ports.ts';

/** Twilio call status → HubSpot `hs_call_status`. */
const STATUS: Readonly<Record<string, string>> = {
  queued: 'QUEUED',
  initiated: 'CONNECTING',
  ringing: 'RINGING',
  'in-progress': 'IN_PROGRESS',
  completed: 'COMPLETED',
  busy: 'BUSY',
  failed: 'FAILED',
  'no-answer': 'NO_ANSWER',
  canceled: 'CANCELED',
};

/** The property that carries the call SID: a record is found by it. */
export const EXTERNAL_ID = 'hs_call_external_id';

/** The properties of a HubSpot call engagement for one call record. */
export function callProperties(record: CallRecord): Record<string, string> {
  const title = `AI call to ${record.contactName}${record.degraded ? ' (degraded)' : ''}`;
  const body = [
    `Contact: ${record.contactId}`,
    `Call SID: ${record.callSid}`,
    record.degraded ? 'Ran degraded (template script or fallback voice).' : undefined,
    '',
    record.script,
  ].filter((line): line is string => line !== undefined);
  return {
    hs_timestamp: new Date(record.timestamp).toISOString(),
    hs_call_title: title,
    hs_call_body: body.join('\n'),
    hs_call_direction: 'OUTBOUND',
    hs_call_status: STATUS[record.status.toLowerCase()] ?? 'COMPLETED',
    hs_call_to_number: record.phone,
    ...(record.callSid === '' ? {} : { [EXTERNAL_ID]: record.callSid }),
  };
}
