import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
// Straight from its file: the barrel would load the SQLite backend just to parse a CSV.
import { phoneContactId } from '../../queue/contact-id.ts';
import { maskPhoneLike, maskPhoneNumber } from '../../redaction/redact.ts';
import type { ContactRow } from './contact-row.ts';
import { normalizePhone } from './normalize-phone.ts';

export const REQUIRED_FIELDS = ['name', 'phone'] as const;
export const OPTIONAL_FIELDS = ['id', 'company', 'notes', 'language'] as const;
export type ContactField = (typeof REQUIRED_FIELDS)[number] | (typeof OPTIONAL_FIELDS)[number];

/** A field of one row, trimmed; '' when the row has none. */
export type FieldOf = (field: ContactField) => string;

/** Throws a RangeError for a region libphonenumber does not know. */
export function assertRegion(region: string): asserts region is CountryCode {
  if (!isSupportedCountry(region)) {
    throw new RangeError(
      `unknown default region "${region}": expected a region code such as US, GB or DE (ISO 3166-1)`,
    );
  }
}

/**
 * The rules every import applies to a contact, row by row, whatever the format: a name and a
 * valid phone (normalized to E.164, `defaultRegion` for numbers without `+country`), an id or
 * one derived from the phone, no id and no number twice in one import. The first failing
 * rule wins.
 */
export class ContactRules {
  readonly #region: CountryCode;
  readonly #idSeen = new Map<string, number>();
  readonly #phoneSeen = new Map<string, number>();

  constructor(region: CountryCode) {
    this.#region = region;
  }

  /** The contact of the row at `line`, or why it is left out. */
  check(value: FieldOf, line: number): ContactRow | string {
    if (value('name') === '') return 'missing name';
    const raw = value('phone');
    if (raw === '') return 'missing phone';
    const phone = normalizePhone(raw, this.#region);
    if (phone === undefined) return `invalid phone number ${maskPhoneLike(raw)}`;
    const ownId = value('id');
    const idLine = ownId === '' ? undefined : this.#idSeen.get(ownId);
    if (idLine !== undefined) return `duplicate id "${ownId}" (first seen on line ${idLine})`;
    const phoneLine = this.#phoneSeen.get(phone);
    if (phoneLine !== undefined) {
      return `duplicate phone ${maskPhoneNumber(phone)} (first seen on line ${phoneLine})`;
    }
    if (ownId !== '') this.#idSeen.set(ownId, line);
    this.#phoneSeen.set(phone, line);
    const optional = (field: ContactField): string | undefined => value(field) || undefined;
    return {
      id: ownId || phoneContactId(phone),
      name: value('name'),
      phone,
      company: optional('company'),
      notes: optional('notes'),
      language: optional('language'),
      line,
    };
  }
}
