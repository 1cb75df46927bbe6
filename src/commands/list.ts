import { maskedContactId } from '../agent/contacts/index.ts';
import type { CallQueue, ContactState, ContactStatus } from '../queue/call-queue.ts';
import { maskPhoneNumber } from '../redaction/redact.ts';
import { systemClock } from '../resilience/index.ts';
import type { CommandContext } from './command-context.ts';
import { openCommandQueue, type QueueFlags } from './open-queue.ts';
import { count } from '../text/count.ts';
import { table, when } from './text.ts';

/** Contacts listed when `--limit` does not say. */
export const DEFAULT_LIST_LIMIT = 100;

/** When a contact is tried next, as the text list says it. */
function nextAttempt(status: ContactStatus, now: number): string {
  switch (status.state) {
    case 'pending':
      return 'due now';
    case 'in_progress':
      return 'in progress';
    case 'deferred':
      if (status.waitsForService) return `waits for ${status.waitingOn ?? 'its service'}`;
      return status.notBefore === undefined
        ? 'due now'
        : when(status.notBefore, now, { due: true });
    default:
      return '—';
  }
}

/** A contact as `list --json` prints it: id and phone masked. */
function contactJson(status: ContactStatus): Record<string, unknown> {
  const waits = status.state === 'deferred' && status.waitsForService;
  return {
    id: maskedContactId(status.id),
    name: status.contact.name,
    phone: maskPhoneNumber(status.contact.phone),
    state: status.state,
    attempts: status.claims,
    failed_attempts: status.failedAttempts,
    reason: status.reason ?? null,
    next_attempt_at:
      status.state === 'deferred' && !waits && status.notBefore !== undefined
        ? new Date(status.notBefore).toISOString()
        : null,
    waits_for_service: waits ? (status.waitingOn ?? null) : null,
    updated_at: new Date(status.updatedAt).toISOString(),
  };
}

/** The text table of `list`. */
function contactsTable(contacts: readonly ContactStatus[], now: number): string {
  return table(
    [
      ['id', 'name', 'phone', 'state', 'attempts', 'failed', 'next attempt', 'reason'],
      ...contacts.map((s) => [
        maskedContactId(s.id),
        s.contact.name,
        maskPhoneNumber(s.contact.phone),
        s.state,
        String(s.claims),
        String(s.failedAttempts),
        nextAttempt(s, now),
        s.reason ?? '',
      ]),
    ],
    [4, 5],
  );
}

export interface ListOptions {
  state?: ContactState | undefined;
  limit: number;
  json: boolean;
}

/** Prints the contacts of the queue (in one state, or all), at most `limit` of them. */
export async function listContacts(
  queue: CallQueue,
  options: ListOptions,
  context: Pick<CommandContext, 'output'>,
  now = systemClock.now(),
): Promise<void> {
  const { state, limit } = options;
  const contacts = await queue.list(state, { limit });
  const counts = await queue.counts();
  const total =
    state === undefined ? Object.values(counts).reduce((a, b) => a + b, 0) : counts[state];
  const more = total - contacts.length;
  const { output } = context;
  if (options.json) {
    output.outBlock(JSON.stringify({ contacts: contacts.map(contactJson), more }, null, 2));
    return;
  }
  const which = state === undefined ? 'contact' : `${state.replace('_', ' ')} contact`;
  if (contacts.length === 0) {
    output.out(`no ${which}s`);
    return;
  }
  output.outBlock(contactsTable(contacts, now));
  if (more > 0) {
    output.out(`${contacts.length} of ${count(total, which)} shown (--limit ${total} shows all)`);
  }
}

/** `call-agent list`: the contacts, with attempts, last error and next attempt. */
export async function showList(
  flags: QueueFlags & {
    state?: ContactState | undefined;
    limit?: number | undefined;
    json?: boolean | undefined;
  },
  { output, env }: CommandContext,
): Promise<number> {
  const opened = await openCommandQueue(flags, { env });
  try {
    const limit = flags.limit ?? DEFAULT_LIST_LIMIT;
    const options = { state: flags.state, limit, json: flags.json === true };
    await listContacts(opened.queue, options, { output });
    return 0;
  } finally {
    await opened.close();
  }
}
