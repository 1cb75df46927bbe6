import type {
  Checkpoints,
  ClaimedContact,
  ContactState,
  ContactStatus,
  EnqueueResult,
  HeldLeases,
  OutboxEntry,
  QueuedContactData,
  RequeueResult,
  WaitingContacts,
} from '../call-queue.ts';
import type { LeaseHolder } from '../lease-holder.ts';
import type { ListedContact } from '../queue-admin.ts';

/**
 * A contact as the scripts return it: id, data, state, claims, failed attempts, due,
 * not-before, reason, service waited for, updated, then checkpoint fields and values.
 */
export type RecordReply = string[];

/** A number field; '' is none. */
const optionalNumber = (value: string | undefined): number | undefined =>
  value === undefined || value === '' ? undefined : Number(value);

const orUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/** Checkpoints as the scripts store them: one JSON value per field. */
export function checkpointArgs(checkpoints: Checkpoints | undefined): string[] {
  const pairs = Object.entries(checkpoints ?? {}).filter(([, value]) => value !== undefined);
  return [
    String(pairs.length),
    ...pairs.flatMap(([field, value]) => [field, JSON.stringify(value)]),
  ];
}

function checkpointsOf(reply: RecordReply): Checkpoints {
  const checkpoints: Record<string, unknown> = {};
  for (let i = 10; i + 1 < reply.length; i += 2) {
    checkpoints[reply[i]!] = JSON.parse(reply[i + 1]!) as unknown;
  }
  return checkpoints as Checkpoints;
}

export function toClaimed(reply: RecordReply, leaseToken: string): ClaimedContact {
  return {
    contact: JSON.parse(reply[1]!) as QueuedContactData,
    leaseToken,
    claims: Number(reply[3]),
    failedAttempts: Number(reply[4]),
    checkpoints: checkpointsOf(reply),
  };
}

export function toStatus(reply: RecordReply): ContactStatus {
  const [id, data, state, claims, failed, due, notBefore, reason, service, updated] = reply;
  const waiting = state === 'deferred';
  const explained = waiting || state === 'failed';
  return {
    id: id!,
    contact: JSON.parse(data!) as QueuedContactData,
    state: state as ContactState,
    claims: Number(claims),
    failedAttempts: Number(failed),
    notBefore: waiting ? (optionalNumber(due) ?? optionalNumber(notBefore)) : undefined,
    reason: explained ? orUndefined(reason) : undefined,
    waitingOn: waiting ? orUndefined(service) : undefined,
    waitsForService: waiting && optionalNumber(due) === undefined,
    checkpoints: checkpointsOf(reply),
    updatedAt: Number(updated),
  };
}

/** A contact as the admin scripts return it: its enqueue order, then its record. */
export function toListed(reply: RecordReply): ListedContact {
  return { ...toStatus(reply.slice(1)), seq: Number(reply[0]) };
}

/** The enqueue script's verdicts (`add`, `dup`, `id`, `ph:<id>`), one per contact. */
export function toEnqueueResult(
  verdicts: readonly string[],
  contacts: readonly QueuedContactData[],
): EnqueueResult {
  const result: EnqueueResult = { added: 0, duplicates: 0, conflicts: [] };
  verdicts.forEach((verdict, index) => {
    const id = contacts[index]!.id;
    if (verdict === 'add') result.added++;
    else if (verdict === 'dup') result.duplicates++;
    else if (verdict === 'id') result.conflicts.push({ index, id, reason: 'id_taken' });
    else result.conflicts.push({ index, id, reason: 'phone_taken', existingId: verdict.slice(3) });
  });
  return result;
}

/** Per contact in progress, its holder and lease expiry: grouped by holder, soonest first. */
export function toHeldLeases(rows: ReadonlyArray<[string, string]>): HeldLeases[] {
  const byHolder = new Map<string, HeldLeases>();
  for (const [holder, due] of rows) {
    const held = byHolder.get(holder) ?? { holder: parseHolder(holder), contacts: 0, expiresAt: 0 };
    held.contacts++;
    held.expiresAt = Math.max(held.expiresAt, Number(due));
    byHolder.set(holder, held);
  }
  return [...byHolder.values()].sort((a, b) => a.expiresAt - b.expiresAt);
}

function parseHolder(value: string): LeaseHolder | undefined {
  if (value === '') return undefined;
  const [host, pid, started] = JSON.parse(value) as [string, number, string];
  return { host, pid, started };
}

/** Per service waited for: service, contacts, of them waiting to be released, next due. */
export type WaitingRow = [string, number, number, string];

/** As the SQLite queue orders them: by next due time (none last), then by service. */
export function toWaiting(rows: readonly WaitingRow[]): WaitingContacts[] {
  const waiting = rows.map(([service, contacts, parked, next]) => ({
    service: service === '' ? undefined : service,
    contacts,
    untilReleased: parked,
    nextDueAt: next === '' ? undefined : Number(next),
  }));
  return waiting.sort(
    (a, b) =>
      (a.nextDueAt ?? Infinity) - (b.nextDueAt ?? Infinity) ||
      (a.service ?? '').localeCompare(b.service ?? ''),
  );
}

/** The requeue script's verdict per id, in the order asked. */
export function toRequeueResult(
  order: readonly string[],
  verdicts: readonly string[],
): RequeueResult {
  const result: RequeueResult = { requeued: [], notFound: [], notFailed: [] };
  order.forEach((id, i) => {
    const verdict = verdicts[i];
    if (verdict === 'requeued') result.requeued.push(id);
    else if (verdict === 'missing') result.notFound.push(id);
    else result.notFailed.push({ id, state: verdict as ContactState });
  });
  return result;
}

/** Outbox rows: id, contact id, payload, attempts, created. */
export function toOutboxEntries(rows: readonly string[][]): OutboxEntry[] {
  return rows.map(([id, contactId, payload, attempts, created]) => ({
    id: Number(id),
    contactId: contactId!,
    payload: JSON.parse(payload!) as unknown,
    attempts: Number(attempts),
    createdAt: Number(created),
  }));
}
