import { InvalidArgumentError } from 'commander';
import { createRequire } from 'node:module';
import type * as Libphonenumber from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

const require = createRequire(import.meta.url);

/** A whole number ≥ 1. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a whole number ≥ 1');
  return number;
}

/** A whole number ≥ 0. */
export function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || value.trim() === '')
    throw new InvalidArgumentError('expected a whole number ≥ 0');
  return number;
}

/** A region libphonenumber knows (`US`, `GB`, `de` …), upper-cased. */
export function regionCode(value: string): CountryCode {
  const code = value.trim().toUpperCase();
  // loaded only when the flag is given: `--help` stays fast
  const { isSupportedCountry } = require('libphonenumber-js/max') as typeof Libphonenumber;
  if (!isSupportedCountry(code)) {
    throw new InvalidArgumentError('expected a region code such as US, GB or DE (ISO 3166-1)');
  }
  return code;
}
