/** The contacts file as a whole cannot be used: unreadable, empty, or a required column missing. */
export class ContactsFileError extends Error {
  readonly code = 'E_CONTACTS_FILE';

  override get name(): string {
    return 'ContactsFileError';
  }
}
