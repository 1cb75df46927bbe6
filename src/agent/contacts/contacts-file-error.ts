/**
 * The contacts file as a whole cannot be used: unreadable, not UTF-8, empty, or a required
 * column missing.
 */
export class ContactsFileError extends Error {
  readonly code = 'E_CONTACTS_FILE';

  override get name(): string {
    return 'ContactsFileError';
  }
}
