import type {
  Checkpoints,
  ClaimedContact,
  ContactStatus,
  OutboxEntry,
  QueuedContactData,
} from './call-queue.ts';
import type { ClaimRow, OutboxRow, StatusRow } from './sqlite-statements.ts';

/** The contact fields the queue keeps; anything else a caller passed along is dropped. */
export function contactData(contact: QueuedContactData): QueuedContactData {
  const { id, name, phone, company, notes, language } = contact;
  return { id, name, phone, company, notes, language };
}

export function toClaimed(row: ClaimRow, leaseToken: string): ClaimedContact {
  return {
    contact: JSON.parse(row.data) as QueuedContactData,
    leaseToken,
    claims: row.claims,
    failedAttempts: row.failed_attempts,
    checkpoints: JSON.parse(row.checkpoints) as Checkpoints,
  };
}

export function toStatus(row: StatusRow): ContactStatus {
  const waiting = row.state === 'deferred';
  const explained = waiting || row.state === 'failed';
  return {
    id: row.id,
    contact: JSON.parse(row.data) as QueuedContactData,
    state: row.state,
    claims: row.claims,
    failedAttempts: row.failed_attempts,
    notBefore: waiting ? (row.due_at ?? row.not_before ?? undefined) : undefined,
    reason: explained ? (row.reason ?? undefined) : undefined,
    waitingOn: waiting ? (row.waiting_on ?? undefined) : undefined,
    waitsForService: waiting && row.due_at === null,
    checkpoints: JSON.parse(row.checkpoints) as Checkpoints,
    updatedAt: row.updated_at,
  };
}

export function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    contactId: row.contact_id,
    payload: JSON.parse(row.payload) as unknown,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
}
