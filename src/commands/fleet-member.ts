import { hostname } from 'node:os';
import type { Campaign } from '../agent/campaign.ts';
import { recoverLeases } from '../agent/lease-recovery.ts';
import type { Fleet } from '../fleet/index.ts';
import type { CallQueue } from '../queue/index.ts';
import type { Clock, TimerHandle } from '../resilience/index.ts';
import type { ResourceStack } from './resource-stack.ts';

/**
 * How often a member looks for contacts held by a dead process of its host (a sibling worker
 * killed): they are taken back at once rather than when their leases run out.
 */
const RECLAIM_EVERY_MS = 2_000;

/** What `/readyz` says: ready or not, and why. */
export type Readiness = { ready: boolean } & Record<string, unknown>;

/** This process's name in the fleet: `host:pid`. */
export function memberId(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * A member that lost Redis works on alone: not ready as a member of the fleet (nor before it
 * joined).
 */
export function fleetReadiness(fleet: Fleet | undefined): Readiness {
  const status = fleet?.link.status ?? { connected: false, workers: 0 };
  return {
    ready: status.connected,
    fleet: status.connected ? 'connected' : 'redis_unreachable',
    workers: status.workers,
    ...(status.error === undefined ? {} : { error: status.error }),
  };
}

/**
 * Makes a campaign a member of the fleet (a worker, or a server on Redis), once built and
 * before it runs: its breakers share the fleet's state, it wakes when contacts fall due
 * anywhere, and it takes back at once the contacts of a dead sibling of its host. What it
 * starts is closed with `resources`.
 */
export async function joinFleet(
  fleet: Fleet,
  campaign: Campaign,
  queue: CallQueue,
  clock: Clock,
  resources: ResourceStack,
): Promise<void> {
  await fleet.attach(campaign.policies.values());
  resources.defer(fleet.onWake(() => campaign.worker.wake()));
  let reclaim: TimerHandle | undefined;
  let stopped = false;
  const lookForDeadSiblings = (): void => {
    if (stopped) return;
    reclaim = clock.setTimer(() => {
      void recoverLeases(queue).then(
        ({ reclaimed }) => {
          for (const { pid, contacts } of reclaimed) {
            campaign.events.emit({
              type: 'leases_reclaimed',
              timestamp: clock.now(),
              pid,
              contacts,
            });
          }
          if (reclaimed.length > 0) campaign.worker.wake();
          lookForDeadSiblings();
        },
        () => lookForDeadSiblings(), // Redis unreachable: look again later
      );
    }, RECLAIM_EVERY_MS);
  };
  lookForDeadSiblings();
  resources.defer(() => {
    stopped = true;
    reclaim?.clear();
  });
}
