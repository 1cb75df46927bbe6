import { hostname } from 'node:os';
import type { CallQueue, ContactState, StateCounts } from '../queue/call-queue.ts';
import { canCheckHolder, isHolderAlive, type LeaseHolder } from '../queue/lease-holder.ts';
import { systemClock, type Clock } from '../resilience/index.ts';
import type { CommandContext } from './command-context.ts';
import { openCommandQueue, type FleetWorkers, type QueueFlags } from './open-queue.ts';
import { formatStatus } from './status-format.ts';

/** Why contacts wait, for one service (or for none in particular). */
export interface WaitingOn {
  service: string | undefined;
  contacts: number;
  /** Of them, those that wait until the service takes calls again. */
  untilReleased: number;
  /** When the first of the others is due. */
  nextDueAt: number | undefined;
  /** The reasons they were deferred, most frequent first. */
  reasons: Array<{ reason: string; contacts: number }>;
}

/** Contacts in progress held by one process. */
export interface HeldBy {
  holder: LeaseHolder | undefined;
  contacts: number;
  expiresAt: number;
  /** Whether the holder still runs; undefined when this host cannot tell (another host). */
  running: boolean | undefined;
}

/** What `call-agent status` reports. */
export interface QueueStatus {
  db: string;
  now: number;
  counts: StateCounts;
  total: number;
  crmOutbox: number;
  /** When the next deferred contact is due (undefined: none waits for a time). */
  nextDeferredAt: number | undefined;
  waiting: WaitingOn[];
  leases: HeldBy[];
  /** The fleet's live workers (a queue on Redis); undefined for a SQLite file. */
  workers?: FleetWorkers | undefined;
}

/** Whether `holder` still runs, when this host can tell. */
function holderRuns(holder: LeaseHolder | undefined): boolean | undefined {
  if (holder === undefined || holder.host !== hostname() || !canCheckHolder(holder)) {
    return undefined;
  }
  return isHolderAlive(holder);
}

/** Reads what `status` reports from the queue. */
export async function readQueueStatus(
  queue: CallQueue,
  db: string,
  clock: Clock,
): Promise<QueueStatus> {
  const counts = await queue.counts();
  const reasons = new Map<string | undefined, Map<string, number>>();
  for (const contact of await queue.list('deferred')) {
    const byReason = reasons.get(contact.waitingOn) ?? new Map<string, number>();
    const reason = contact.reason ?? '(no reason recorded)';
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    reasons.set(contact.waitingOn, byReason);
  }
  const waiting = (await queue.waiting()).map((group): WaitingOn => ({
    ...group,
    reasons: [...(reasons.get(group.service) ?? [])]
      .map(([reason, contacts]) => ({ reason, contacts }))
      .sort((a, b) => b.contacts - a.contacts || a.reason.localeCompare(b.reason)),
  }));
  const due = waiting.flatMap((group) => (group.nextDueAt === undefined ? [] : [group.nextDueAt]));
  const leases = (await queue.leases()).map((held) => ({
    ...held,
    running: holderRuns(held.holder),
  }));
  return {
    db,
    now: clock.now(),
    counts,
    total: Object.values(counts).reduce((sum, n) => sum + n, 0),
    crmOutbox: await queue.outboxSize(),
    nextDeferredAt: due.length === 0 ? undefined : Math.min(...due),
    waiting,
    leases,
  };
}

/** The JSON form of the status (`--json`): snake_case keys, ISO times. */
export function statusJson(status: QueueStatus): Record<string, unknown> {
  const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());
  const states: ContactState[] = ['pending', 'in_progress', 'deferred', 'completed', 'failed'];
  return {
    db: status.db,
    workers: status.workers?.alive ?? null,
    contacts: {
      total: status.total,
      ...Object.fromEntries(states.map((s) => [s, status.counts[s]])),
    },
    crm_outbox: status.crmOutbox,
    next_deferred_due_at: iso(status.nextDeferredAt),
    waiting: status.waiting.map((group) => ({
      service: group.service ?? null,
      contacts: group.contacts,
      until_service_takes_calls: group.untilReleased,
      next_due_at: iso(group.nextDueAt),
      reasons: group.reasons,
    })),
    leases: status.leases.map((held) => ({
      host: held.holder?.host ?? null,
      pid: held.holder?.pid ?? null,
      contacts: held.contacts,
      expires_at: iso(held.expiresAt),
      running: held.running ?? null,
    })),
  };
}

/** `call-agent status`: counts, the outbox, what waits and why, and who holds what. */
export async function showStatus(
  flags: QueueFlags & { json?: boolean | undefined },
  { output, env }: CommandContext,
): Promise<number> {
  const opened = await openCommandQueue(flags, { env });
  try {
    const status = {
      ...(await readQueueStatus(opened.queue, opened.where, systemClock)),
      workers: await opened.workers(),
    };
    if (flags.json) output.outBlock(JSON.stringify(statusJson(status), null, 2));
    else output.outBlock(formatStatus(status));
    return 0;
  } finally {
    await opened.close();
  }
}
