import type { HeldBy, QueueStatus, WaitingOn } from './status.ts';
import { count } from '../text/count.ts';
import { table, when } from './text.ts';

/** Reasons shown per service; the rest are summed up in one line. */
const REASONS_SHOWN = 3;

/** One line per service contacts wait on: how many, until what, and the main reasons. */
function waitingLines(group: WaitingOn, now: number): string[] {
  const service = group.service ?? 'no service in particular';
  const timed = group.contacts - group.untilReleased;
  const parts = [
    ...(group.untilReleased > 0
      ? [`${group.untilReleased} until ${group.service ?? 'its service'} takes calls again`]
      : []),
    ...(timed > 0 && group.nextDueAt !== undefined
      ? [`${timed} due from ${when(group.nextDueAt, now, { due: true })}`]
      : []),
  ];
  const lines = [`  ${service}: ${count(group.contacts, 'contact')}: ${parts.join(', ')}`];
  for (const { reason, contacts } of group.reasons.slice(0, REASONS_SHOWN)) {
    lines.push(`    ${String(contacts).padStart(5)}  ${reason}`);
  }
  const rest = group.reasons.slice(REASONS_SHOWN);
  if (rest.length > 0) {
    const contacts = rest.reduce((sum, r) => sum + r.contacts, 0);
    lines.push(`    ${String(contacts).padStart(5)}  (${count(rest.length, 'other reason')})`);
  }
  return lines;
}

/** Who takes back the contacts of a process that no longer runs. */
function takenBackBy(held: HeldBy, onFleet: boolean): string {
  if (!onFleet) return 'the next run takes them back at once';
  return `a worker on ${held.holder?.host ?? 'its host'} takes them back at once, any other when the lease runs out`;
}

function leaseLine(held: HeldBy, now: number, onFleet: boolean): string {
  const who =
    held.holder === undefined
      ? 'a process that did not record itself'
      : `pid ${held.holder.pid} on ${held.holder.host}`;
  const state =
    held.running === undefined
      ? ''
      : held.running
        ? ' (running)'
        : ` (no longer runs: ${takenBackBy(held, onFleet)})`;
  return `  ${count(held.contacts, 'contact')} by ${who}${state}, lease until ${when(held.expiresAt, now)}`;
}

/** The text `call-agent status` prints. */
export function formatStatus(status: QueueStatus): string {
  const { counts, now } = status;
  const lines = [
    `queue ${status.db}: ${count(status.total, 'contact')}`,
    table(
      [
        ['  pending', String(counts.pending)],
        ['  in progress', String(counts.in_progress)],
        ['  deferred', String(counts.deferred)],
        ['  completed', String(counts.completed)],
        ['  failed', String(counts.failed)],
      ],
      [1],
    ),
    `CRM outbox: ${count(status.crmOutbox, 'record')} to replay`,
    ...(status.workers === undefined
      ? []
      : [
          `fleet: ${count(status.workers.alive, 'worker')} alive (heard from in the last ${status.workers.heardWithinMs / 1000} s)`,
        ]),
  ];
  if (status.nextDeferredAt !== undefined) {
    lines.push(`next deferred contact due ${when(status.nextDeferredAt, now, { due: true })}`);
  } else if (counts.deferred > 0) {
    lines.push('no deferred contact waits for a time: each waits for its service');
  }
  if (status.waiting.length > 0) {
    lines.push('', 'why contacts wait:', ...status.waiting.flatMap((g) => waitingLines(g, now)));
  }
  if (status.leases.length > 0) {
    lines.push(
      '',
      'held now:',
      ...status.leases.map((held) => leaseLine(held, now, status.workers !== undefined)),
    );
  }
  return lines.join('\n');
}
