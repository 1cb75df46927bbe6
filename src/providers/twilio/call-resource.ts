import { isRecord, stringField } from '../http/json.ts';
import type { PlacedCall } from '../ports.ts';

/** A call as Twilio describes it, with its creation time parsed. */
export interface CallResource extends PlacedCall {
  /** ms since the epoch; Twilio sends RFC 2822 with second precision. */
  createdAt: number;
}

/** Reads one call resource; undefined when it lacks a sid or a status. */
export function readCall(value: unknown, foundExisting: boolean): CallResource | undefined {
  if (!isRecord(value)) return undefined;
  const callSid = stringField(value.sid);
  const status = stringField(value.status);
  if (!callSid || !status) return undefined;
  const created = Date.parse(stringField(value.date_created) ?? '');
  return { callSid, status, foundExisting, createdAt: Number.isNaN(created) ? 0 : created };
}

/** The `calls` of a `GET Calls.json` page; undefined when the page is not one. */
export function readCallList(value: unknown): CallResource[] | undefined {
  if (!isRecord(value) || !Array.isArray(value.calls)) return undefined;
  return value.calls
    .map((call: unknown) => readCall(call, true))
    .filter((call): call is CallResource => call !== undefined);
}
