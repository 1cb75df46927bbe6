import { maskedContactId } from '../agent/contacts/index.ts';
import type { CallQueue, ContactState } from '../queue/call-queue.ts';
import type { Output } from '../redaction/output.ts';
import type { CommandContext } from './command-context.ts';
import { openCommandQueue, type QueueFlags } from './open-queue.ts';
import { count } from '../text/count.ts';

/** Ids named in the `requeued …` line; the rest are counted. */
const IDS_SHOWN = 20;

/** Why a contact in `state` is not put back. */
const NOT_FAILED: Readonly<Record<ContactState, string>> = {
  pending: 'it is pending already',
  deferred: 'it is deferred, not failed: it will be tried again',
  in_progress: 'it is in progress (a run holds it)',
  completed: 'it is completed: its call was made',
  failed: 'it is failed',
};

/**
 * Puts back every failed contact (`ids` undefined) or the named ones, and says what it did.
 * Returns the exit code: 1 when a named contact was not put back.
 */
export async function requeueContacts(
  queue: CallQueue,
  ids: readonly string[] | undefined,
  output: Output,
  taker = 'the next `call-agent run`',
): Promise<number> {
  const { requeued, notFound, notFailed } = await queue.requeue(ids);
  if (requeued.length === 0) {
    output.out(ids === undefined ? 'no failed contact to requeue' : 'no contact requeued');
  } else {
    const shown = requeued.slice(0, IDS_SHOWN).map(maskedContactId).join(', ');
    const rest = requeued.length > IDS_SHOWN ? ` and ${requeued.length - IDS_SHOWN} more` : '';
    const one = requeued.length === 1;
    output.out(`requeued ${count(requeued.length, 'contact')}: ${shown}${rest}`);
    output.out(
      `${one ? 'it is' : 'they are'} pending again: ${taker} calls ${one ? 'it' : 'them'}`,
    );
  }
  for (const { id, state } of notFailed) {
    output.out(`${maskedContactId(id)}: not requeued, ${NOT_FAILED[state]}`);
  }
  for (const id of notFound) output.out(`${maskedContactId(id)}: not requeued, no such contact`);
  return notFound.length + notFailed.length === 0 ? 0 : 1;
}

/** `call-agent requeue (--failed | --id ID…)`: failed contacts back into the queue. */
export async function requeueFromFlags(
  flags: QueueFlags & { failed?: boolean | undefined; id?: string[] | undefined },
  { output, env }: CommandContext,
): Promise<number> {
  const opened = await openCommandQueue(flags, { env });
  try {
    const ids = flags.failed ? undefined : flags.id;
    return await requeueContacts(opened.queue, ids, output, opened.taker);
  } finally {
    await opened.close();
  }
}
