import { createRedactor, type Redactor } from '../redaction/redact.ts';

/** Masks secrets and phone numbers in alert texts and log messages. */
export type Sanitizer = Redactor;

/** A sanitizer for these secret values, plus the usual credential shapes and phone numbers. */
export const createSanitizer: (secrets?: ReadonlyArray<string | undefined>) => Sanitizer =
  createRedactor;
