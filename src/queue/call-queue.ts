import type { LeaseHolder } from './lease-holder.ts';

/**
 * The call queue: durable contact states, leases, per-step checkpoints and the CRM outbox.
 * SQLite is the embedded default; Redis (`redis/`) serves a fleet of workers. Both pass the
 * same conformance suite (`contract/`).
 */

export type ContactState = 'pending' | 'in_progress' | 'completed' | 'failed' | 'deferred';

/** A contact as the queue stores it (structurally the providers' ContactInfo). */
export interface QueuedContactData {
  id: string;
  name: string;
  /** E.164. */
  phone: string;
  company?: string | undefined;
  notes?: string | undefined;
  language?: string | undefined;
}

/** What a contact's finished steps left behind, so a resumed contact never repeats one. */
export interface Checkpoints {
  script?: string | undefined;
  /** The script came from the template, not the LLM. */
  scriptDegraded?: boolean | undefined;
  /** When the template script was written (the LLM is asked again for a while after). */
  templatedAt?: number | undefined;
  /** Which voice spoke it (`ElevenLabs`, `OpenAI` …). */
  voiceProvider?: string | undefined;
  /** Where the audio is kept (a file path or URL). */
  audioRef?: string | undefined;
  /**
   * Written before the call is placed (also kept by a deferral when that write failed): from
   * then on a retry looks the call up before it may place one.
   */
  callStartedAt?: number | undefined;
  callSid?: string | undefined;
  /** Set when the CRM has the record, when it went to the outbox, or when the CRM refused it. */
  crmDone?: 'recorded' | 'outbox' | 'rejected' | undefined;
}

export interface ClaimedContact {
  contact: QueuedContactData;
  /** Pass back with every update; a stale token (lease lost) is refused. */
  leaseToken: string;
  /** How many times this contact has been claimed, this one included. */
  claims: number;
  /** Transient failures counted so far. */
  failedAttempts: number;
  checkpoints: Checkpoints;
}

export interface ContactStatus {
  id: string;
  /** The contact as it was enqueued. */
  contact: QueuedContactData;
  state: ContactState;
  /** How many times the contact has been claimed. */
  claims: number;
  failedAttempts: number;
  /** For `deferred`: not before this time (ms since the epoch). */
  notBefore: number | undefined;
  /** For `failed` and `deferred`: why. */
  reason: string | undefined;
  /** For `deferred`: the service it waits for, if one. */
  waitingOn: string | undefined;
  /** For `deferred`: it waits until its service is released, not for a time. */
  waitsForService: boolean;
  checkpoints: Checkpoints;
  updatedAt: number;
}

export interface DeferOptions {
  notBefore: number;
  reason: string;
  /** The service the contact waits for (`ElevenLabs` …), if one. */
  service?: string | undefined;
  /**
   * The contact waits for `service` to take calls again: nothing claims it until
   * `releaseWaiting(service)` (and never before `notBefore`). Costs one write per outage
   * however long it lasts, where a timed deferral is claimed again at every retry time.
   */
  untilReleased?: boolean | undefined;
  /**
   * Whether this counts as a failed attempt of the contact (a transient failure), as opposed
   * to a skip (an open circuit). After `maxFailedAttempts` counted ones the contact fails.
   */
  countsAsFailure: boolean;
  /** Steps finished in this attempt, recorded in the same atomic write. */
  checkpoints?: Checkpoints | undefined;
}

export interface OutboxEntry<T = unknown> {
  id: number;
  contactId: string;
  payload: T;
  attempts: number;
  createdAt: number;
}

/**
 * A contact the queue refused, by its position in the batch: its number is queued under
 * another id (`existingId`; a person is never called twice), or its id is queued with
 * another number.
 */
export type EnqueueConflict =
  | { index: number; id: string; reason: 'phone_taken'; existingId: string }
  | { index: number; id: string; reason: 'id_taken' };

export interface EnqueueResult {
  added: number;
  /** Already in the queue: the same id with the same phone. */
  duplicates: number;
  /** Refused, in batch order; `added + duplicates + conflicts.length` is the batch size. */
  conflicts: EnqueueConflict[];
}

export type StateCounts = Record<ContactState, number>;

export interface ListOptions {
  /** At most this many contacts, the first in enqueue order (default: all). */
  limit?: number | undefined;
}

/** What `requeue` did with each contact it was asked about. */
export interface RequeueResult {
  /** Put back, in the order asked (enqueue order for every failed contact). */
  requeued: string[];
  /** No contact has this id. */
  notFound: string[];
  /** Left as they are: only a failed contact is put back. */
  notFailed: Array<{ id: string; state: ContactState }>;
}

/**
 * The checkpoints a requeued contact keeps. From the write that marks its call as started on,
 * everything: a call that may have been placed is looked up before another is (a person is
 * never called twice), and one that was placed is not placed again. Before it, none: no call
 * was started, so the script and the voice are made afresh (the failure may have been theirs,
 * or the script a template written during an outage).
 */
export function requeuedCheckpoints(checkpoints: Checkpoints): Checkpoints {
  const callMayExist = checkpoints.callStartedAt !== undefined || checkpoints.callSid !== undefined;
  return callMayExist ? checkpoints : {};
}

/** Deferred contacts that wait for one service (or for none in particular). */
export interface WaitingContacts {
  service: string | undefined;
  contacts: number;
  /** Of them, those that wait for the service to be released. */
  untilReleased: number;
  /** When the first of the others is due; undefined when all wait to be released. */
  nextDueAt: number | undefined;
}

/** The contacts one process holds in progress, and when the last of its leases runs out. */
export interface HeldLeases {
  /** Undefined for leases taken by a version that did not record its holder. */
  holder: LeaseHolder | undefined;
  contacts: number;
  expiresAt: number;
}

/** The queue every backend implements. All times are ms since the epoch, from the queue's clock. */
export interface CallQueue {
  enqueue(contacts: readonly QueuedContactData[]): Promise<EnqueueResult>;
  /**
   * Claims the next due contact (pending, deferred past its time, or in progress with an
   * expired lease) for `leaseMs`, for this process (the backend's lease holder). Undefined
   * when nothing is due now. Resolves only once the claim is durable: no work may start on a
   * claim that did not commit (a storage failure rejects with QueueStorageError).
   */
  claim(workerId: string, leaseMs: number): Promise<ClaimedContact | undefined>;
  /**
   * Extends a lease still held, to `leaseMs` from now. False when the lease was lost. A lease
   * past its expiry is still held until another worker claims the contact.
   */
  renew(id: string, leaseToken: string, leaseMs: number): Promise<boolean>;
  /** Who holds the contacts in progress, grouped by holder process. */
  leases(): Promise<HeldLeases[]>;
  /**
   * Ends the leases `holder` has (a process known to be dead): its contacts are due at once.
   * Returns how many contacts were released.
   */
  releaseLeases(holder: LeaseHolder): Promise<number>;
  /**
   * Records finished steps (merged into those already recorded). Throws LeaseLostError when
   * the lease was lost, as do `complete`, `fail` and `defer`.
   */
  checkpoint(id: string, leaseToken: string, patch: Checkpoints): Promise<void>;
  /** Finishes the contact; `checkpoints` are recorded in the same atomic write. */
  complete(id: string, leaseToken: string, checkpoints?: Checkpoints): Promise<void>;
  /** Fails the contact for good; `checkpoints` are recorded in the same atomic write. */
  fail(id: string, leaseToken: string, reason: string, checkpoints?: Checkpoints): Promise<void>;
  /** Returns the contact to the queue until `notBefore`; may fail it (see DeferOptions). */
  defer(id: string, leaseToken: string, options: DeferOptions): Promise<ContactState>;
  status(id: string): Promise<ContactStatus | undefined>;
  /** Contacts (in one state, or all) in enqueue order. */
  list(state?: ContactState, options?: ListOptions): Promise<ContactStatus[]>;
  counts(): Promise<StateCounts>;
  /** Deferred contacts by the service they wait for. */
  waiting(): Promise<WaitingContacts[]>;
  /**
   * Makes up to `limit` contacts waiting for `service` due (oldest first), each at its
   * not-before time or now; or every waiting contact of every service, when `service` is
   * omitted. Returns how many.
   */
  releaseWaiting(service?: string, limit?: number): Promise<number>;
  /**
   * Puts failed contacts back (the named ones, or every failed one when `ids` is omitted):
   * pending and due at once, their counted failures and reason cleared, their checkpoints as
   * `requeuedCheckpoints` keeps them. A contact in any other state is left as it is. One
   * atomic write.
   */
  requeue(ids?: readonly string[]): Promise<RequeueResult>;
  /** Whether any contact is not finished yet (pending, in progress or deferred). */
  hasUnfinished(): Promise<boolean>;
  /**
   * When the next contact can be claimed: the earliest deferred time or lease expiry, or a
   * time at or before now when one is due already (a pending contact is due from its
   * enqueue). Undefined when every contact is finished.
   */
  nextDueAt(): Promise<number | undefined>;

  /** Keeps a record that could not be written to the CRM. */
  addToOutbox(contactId: string, payload: unknown): Promise<void>;
  /** The oldest outbox entries, up to `limit`. */
  peekOutbox(limit: number): Promise<OutboxEntry[]>;
  removeFromOutbox(id: number): Promise<void>;
  /** Counts one more failed replay of an entry. */
  markOutboxAttempt(id: number): Promise<void>;
  outboxSize(): Promise<number>;

  close(): Promise<void>;
}

/** Thrown when an update carries a lease token that is no longer current. */
export class LeaseLostError extends Error {
  readonly code = 'E_LEASE_LOST';
  constructor(readonly contactId: string) {
    super(`lease on contact ${contactId} was lost (another worker took it over)`);
  }
}
