import { maskedContactId } from '../agent/contacts/index.ts';
import { isPhoneContactId, type ContactEvent, type ListedContact } from '../queue/index.ts';
import { maskPhoneNumber } from '../redaction/redact.ts';

/** A ref names a contact by its place in the queue: `@17`. */
const PLACE_REF = /^@(\d+)$/;

/**
 * How the API names a contact in its URLs: by its own id, unless that id holds its phone
 * number (`phone:+1…`, shown masked) or looks like a place ref — then by its place, `@<seq>`.
 */
export function contactRef(contact: Pick<ListedContact, 'id' | 'seq'>): string {
  return isPhoneContactId(contact.id) || PLACE_REF.test(contact.id)
    ? `@${contact.seq}`
    : contact.id;
}

/** What a ref from a URL looks up. */
export function refKey(ref: string): { id: string } | { seq: number } {
  const place = PLACE_REF.exec(ref);
  return place ? { seq: Number(place[1]) } : { id: ref };
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

/** A contact in a list: phone and phone-derived id masked. */
export function contactSummary(contact: ListedContact): Record<string, unknown> {
  const waits = contact.state === 'deferred' && contact.waitsForService;
  return {
    ref: contactRef(contact),
    id: maskedContactId(contact.id),
    name: contact.contact.name,
    phone: maskPhoneNumber(contact.contact.phone),
    company: contact.contact.company ?? null,
    state: contact.state,
    attempts: contact.claims,
    failed_attempts: contact.failedAttempts,
    last_error: contact.reason ?? null,
    next_attempt_at: contact.state === 'deferred' && !waits ? iso(contact.notBefore) : null,
    waits_for_service: waits ? (contact.waitingOn ?? null) : null,
    updated_at: iso(contact.updatedAt),
  };
}

/** A contact on its own: its steps so far and its event history too. */
export function contactDetail(
  contact: ListedContact,
  history: readonly ContactEvent[],
): Record<string, unknown> {
  const done = contact.checkpoints;
  return {
    ...contactSummary(contact),
    language: contact.contact.language ?? null,
    checkpoints: {
      script: done.script === undefined ? null : done.scriptDegraded ? 'template' : 'written',
      voice: done.voiceProvider ?? null,
      call_started_at: iso(done.callStartedAt),
      call_sid: done.callSid ?? null,
      crm: done.crmDone ?? null,
    },
    history: history.map((event) => event.record),
  };
}
