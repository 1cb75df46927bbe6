import type { ContactState, ContactStatus } from './call-queue.ts';

/**
 * What an operator's API asks of a queue beside the worker's port: contacts page by page,
 * newest first, one found by id or by its place in the queue, and one removed.
 */

/** A contact with its place in the queue (`seq`: larger is newer, never reused). */
export interface ListedContact extends ContactStatus {
  seq: number;
}

export interface PageOptions {
  state?: ContactState | undefined;
  /** Only contacts older than this `seq` (the `next` of the page before). */
  before?: number | undefined;
  limit: number;
}

export interface ContactPage {
  contacts: ListedContact[];
  /** Where the next page starts (`before`), undefined on the last page. */
  next: number | undefined;
}

/** Why a contact was not removed: it is not there, or a worker holds it now. */
export type RemoveResult = 'removed' | 'not_found' | 'in_progress';

export interface QueueAdmin {
  /** Contacts (in one state, or all), newest first. */
  page(options: PageOptions): Promise<ContactPage>;
  /** The contact with this id, or at this place in the queue. */
  find(key: { id: string } | { seq: number }): Promise<ListedContact | undefined>;
  /** Removes a contact that is not in progress, with its history. */
  remove(id: string): Promise<RemoveResult>;
}
