/** The call queue: its port, the SQLite backend and the id rule for contacts without one. */
export * from './call-queue.ts';
export { phoneContactId, isPhoneContactId } from './contact-id.ts';
export { currentHolder, isHolderAlive, type LeaseHolder } from './lease-holder.ts';
export { QueueStorageError, isQueueStorageError } from './queue-storage-error.ts';
export {
  SqliteCallQueue,
  sqliteCallQueueDefaults,
  type SqliteCallQueueOptions,
} from './sqlite-call-queue.ts';
export { SQLITE_SCHEMA_VERSION, migrateSqliteSchema } from './sqlite-schema.ts';
export type {
  ContactPage,
  ListedContact,
  PageOptions,
  QueueAdmin,
  RemoveResult,
} from './queue-admin.ts';
export { SqliteCircuitStateStore } from './sqlite-circuit-store.ts';
export {
  contactHistoryDefaults,
  type ContactEvent,
  type ContactHistory,
  type ContactHistoryOptions,
} from './contact-history.ts';
export { SqliteContactHistory } from './sqlite-contact-history.ts';
