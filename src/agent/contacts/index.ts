/** Contacts: CSV import with per-row validation and E.164 phone numbers. */
export {
  atLine,
  parseContactsDefaults,
  type ContactRow,
  type ContactsImport,
  type ParseContactsOptions,
  type RowError,
} from './contact-row.ts';
export { ContactsFileError } from './contacts-file-error.ts';
export {
  importContacts,
  maskedContactId,
  type ContactsSource,
  type ImportContactsOptions,
  type ImportedContacts,
} from './import-contacts.ts';
export { normalizePhone } from './normalize-phone.ts';
export { parseContactsCsv } from './parse-contacts-csv.ts';
export { parseContactsJson } from './parse-contacts-json.ts';
