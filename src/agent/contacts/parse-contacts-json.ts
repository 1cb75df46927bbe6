import {
  parseContactsDefaults,
  rowError,
  type ContactRow,
  type ContactsImport,
  type ParseContactsOptions,
  type RowError,
} from './contact-row.ts';
import { assertRegion, ContactRules, type ContactField } from './contact-rules.ts';

/**
 * Reads contacts from JSON items (e.g. a request's array), by the same rules as a CSV row:
 * `name` and `phone` required, `id`, `company`, `notes`, `language` optional, other keys
 * ignored. An item's `line` is its place in the array (1 for the first). A bad item never
 * throws: it is reported in `errors` and the others proceed.
 */
export function parseContactsJson(
  items: readonly unknown[],
  options: ParseContactsOptions = {},
): ContactsImport {
  const { fileName, defaultRegion } = { ...parseContactsDefaults, ...options };
  assertRegion(defaultRegion);
  const rules = new ContactRules(defaultRegion);
  const contacts: ContactRow[] = [];
  const errors: RowError[] = [];
  items.forEach((item, index) => {
    const line = index + 1;
    const checked = checkItem(item, line, rules);
    if (typeof checked === 'string') errors.push(rowError(fileName, line, checked));
    else contacts.push(checked);
  });
  return { contacts, errors };
}

const FIELDS: readonly ContactField[] = ['name', 'phone', 'id', 'company', 'notes', 'language'];

function checkItem(item: unknown, line: number, rules: ContactRules): ContactRow | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return 'not a contact: expected an object with name and phone';
  }
  const fields = item as Record<string, unknown>;
  const notText = FIELDS.find((field) => {
    const value = fields[field];
    return value !== undefined && value !== null && typeof value !== 'string';
  });
  if (notText !== undefined) return `"${notText}" must be a string`;
  return rules.check((field) => {
    const value = fields[field];
    return typeof value === 'string' ? value.trim() : '';
  }, line);
}
