/** One event of a contact's history: when, and what (a log record, already redacted). */
export interface ContactEvent {
  contactId: string;
  at: number;
  record: Record<string, unknown>;
}

export interface ContactHistoryOptions {
  /** Events kept per contact: the oldest go first. */
  keepPerContact?: number | undefined;
}

export const contactHistoryDefaults = { keepPerContact: 100 };

/**
 * Each contact's events, kept beside the contact in its queue (the SQLite file, or Redis for a
 * fleet): the last `keepPerContact` of each. A contact removed from the queue takes its
 * history with it. A write that did not commit rejects (a QueueStorageError).
 */
export interface ContactHistory {
  /** Appends events in one write, then drops what each contact has past the limit. */
  append(events: readonly ContactEvent[]): Promise<void>;
  /** The contact's events, oldest first (the last `limit`, at most what is kept). */
  list(contactId: string, limit?: number): Promise<ContactEvent[]>;
}
