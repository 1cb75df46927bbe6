import type { CallQueue } from '../queue/call-queue.ts';
import type { BlockedService } from './blocked-services.ts';

/** Why a run stops waiting: every contact left waits on services a person must fix. */
export interface GiveUp {
  services: BlockedService[];
  /** Contacts left queued (all deferred on those services). */
  contacts: number;
  /** CRM records left in the outbox (the CRM being one of those services). */
  crmRecords: number;
}

export interface GiveUpCheck {
  queue: Pick<CallQueue, 'counts' | 'waiting' | 'outboxSize'>;
  blocked: readonly BlockedService[];
  now: number;
  /** How long a service must have been blocked. */
  afterMs: number;
  /** The CRM's service name: what the outbox waits for. */
  crmService: string;
}

/**
 * Whether to give up: nothing is pending or in progress, every deferred contact waits on a
 * service blocked for at least `afterMs`, and so does the CRM outbox if it holds records.
 * Undefined while any work could still move on its own.
 */
export async function checkGiveUp(check: GiveUpCheck): Promise<GiveUp | undefined> {
  const { queue, now, afterMs, crmService } = check;
  const stuck = new Map(
    check.blocked.filter((b) => now - b.since >= afterMs).map((b) => [b.service, b]),
  );
  if (stuck.size === 0) return undefined;
  const counts = await queue.counts();
  if (counts.pending + counts.in_progress > 0) return undefined;
  const waiting = await queue.waiting();
  if (waiting.some((w) => w.service === undefined || !stuck.has(w.service))) return undefined;
  const crmRecords = await queue.outboxSize();
  if (crmRecords > 0 && !stuck.has(crmService)) return undefined;
  if (counts.deferred + crmRecords === 0) return undefined;
  const involved = new Set(waiting.map((w) => w.service));
  if (crmRecords > 0) involved.add(crmService);
  return {
    services: [...stuck.values()].filter((b) => involved.has(b.service)),
    contacts: counts.deferred,
    crmRecords,
  };
}
