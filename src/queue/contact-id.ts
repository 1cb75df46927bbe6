/**
 * Ids of contacts whose CSV row had no `id`: derived from the E.164 phone number, so the same
 * number imported twice is the same contact. (The queue refuses any contact whose number is
 * already queued under another id.)
 */
const PHONE_ID_PREFIX = 'phone:';

/** The id of a contact that came without one: `phone:+14155550123`. */
export function phoneContactId(phone: string): string {
  return `${PHONE_ID_PREFIX}${phone}`;
}

/** Whether `id` was derived from a phone number by `phoneContactId`. */
export function isPhoneContactId(id: string): boolean {
  return id.startsWith(PHONE_ID_PREFIX);
}
