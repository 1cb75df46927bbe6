import type {
  Checkpoints,
  ClaimedContact,
  ContactState,
  ContactStatus,
  QueuedContactData,
} from '../call-queue.ts';

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
