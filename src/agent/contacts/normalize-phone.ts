import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * The E.164 form of `raw` (`(415) 555-0123` → `+14155550123`), or undefined when it is not a
 * valid number. `defaultRegion` applies to numbers written without `+country`. An extension
 * (`ext 5`) is dropped: it cannot be dialled.
 */
export function normalizePhone(raw: string, defaultRegion: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, { defaultCountry: defaultRegion, extract: false });
  return parsed?.isValid() ? parsed.number : undefined;
}
