import type { CallQueue, HeldLeases } from '../queue/call-queue.ts';
import {
  canCheckHolder,
  currentHolder,
  isHolderAlive,
  type LeaseHolder,
} from '../queue/lease-holder.ts';

/** What a look at the leases found, and did. */
export interface LeaseRecovery {
  /** Leases of dead processes of this host, released: their contacts are due at once. */
  reclaimed: Array<{ pid: number; contacts: number }>;
  /** Leases that must run out first: another host's, a live process's, or an unknown holder's. */
  waiting: Array<{
    holder: LeaseHolder | undefined;
    contacts: number;
    expiresAt: number;
    why: 'other_host' | 'other_namespace' | 'running' | 'unknown_holder';
  }>;
}

export interface LeaseRecoveryOptions {
  /** Whether a process of this host still runs (default: asks the system). */
  isAlive?: (holder: LeaseHolder) => boolean;
  /** Who we are (default: this process); our own leases are left alone. */
  self?: LeaseHolder;
}

function isSame(a: LeaseHolder, b: LeaseHolder): boolean {
  return a.host === b.host && a.pid === b.pid && a.started === b.started;
}

/**
 * Finds contacts held by processes that no longer exist on this host (a `kill -9`, a crash)
 * and hands them back at once, instead of waiting for their leases to run out. Leases of
 * other hosts, of live processes and of unknown holders are left to expire, and reported.
 */
export async function recoverLeases(
  queue: Pick<CallQueue, 'leases' | 'releaseLeases'>,
  options: LeaseRecoveryOptions = {},
): Promise<LeaseRecovery> {
  const isAlive = options.isAlive ?? isHolderAlive;
  const self = options.self ?? currentHolder();
  const recovery: LeaseRecovery = { reclaimed: [], waiting: [] };
  const wait = (held: HeldLeases, why: LeaseRecovery['waiting'][number]['why']): void => {
    recovery.waiting.push({ ...held, why });
  };
  for (const held of await queue.leases()) {
    const { holder } = held;
    if (holder === undefined) wait(held, 'unknown_holder');
    else if (isSame(holder, self)) continue;
    else if (holder.host !== self.host) wait(held, 'other_host');
    else if (!canCheckHolder(holder, self)) wait(held, 'other_namespace');
    else if (isAlive(holder)) wait(held, 'running');
    else {
      const contacts = await queue.releaseLeases(holder);
      if (contacts > 0) recovery.reclaimed.push({ pid: holder.pid, contacts });
    }
  }
  return recovery;
}
