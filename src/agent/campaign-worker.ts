import { setMaxListeners } from 'node:events';
import type { CallQueue, ClaimedContact } from '../queue/call-queue.ts';
import { LeaseLostError } from '../queue/call-queue.ts';
import type { Clock, EventEmitter } from '../resilience/index.ts';
import type { AgentEvent } from './agent-events.ts';
import type { CallFlow, ContactOutcome } from './call-flow.ts';
import type { CrmOutbox } from './crm-outbox.ts';
import { recoverLeases, type LeaseRecoveryOptions } from './lease-recovery.ts';

export interface CampaignWorkerOptions {
  queue: CallQueue;
  flow: CallFlow;
  outbox: CrmOutbox;
  clock: Clock;
  events: EventEmitter<AgentEvent>;
  /** Contacts in flight at once. */
  concurrency?: number;
  /** How long a claim holds a contact; renewed every third of it while the contact is worked on. */
  leaseMs?: number;
  /**
   * How often an idle slot looks for due work, and the outbox is replayed, at the longest
   * (an idle slot also wakes when a contact falls due or contacts are released: `wake`).
   */
  idlePollMs?: number;
  /** A slot whose contacts were taken over twice in a row waits this long, doubling, before claiming again. */
  slotBackoffMs?: number;
  /** The longest such wait. */
  maxSlotBackoffMs?: number;
  workerId?: string;
  /** Keep working when the queue is empty, until the signal aborts (more work may come). */
  untilStopped?: boolean;
  /** How dead lease holders are told from live ones (tests). */
  leaseRecovery?: LeaseRecoveryOptions;
  /** Told of every contact's outcome. */
  onOutcome?: (contactId: string, outcome: ContactOutcome) => void;
}

export const campaignWorkerDefaults = {
  concurrency: 4,
  leaseMs: 30_000,
  idlePollMs: 5_000,
  slotBackoffMs: 1_000,
  maxSlotBackoffMs: 30_000,
  workerId: `worker-${process.pid}`,
  untilStopped: false,
};

/** Why `run` returned. */
export type RunEnd = 'drained' | 'aborted';

/**
 * Works the queue with `concurrency` slots until every contact is completed or failed and the
 * CRM outbox is empty, or until the signal aborts. A slot never waits on another: a contact
 * that cannot go on is deferred and the slot takes the next one at once. A failure of the
 * queue itself (a write that did not commit) ends the run: `run` rejects with it.
 */
export class CampaignWorker {
  readonly #options: CampaignWorkerOptions & typeof campaignWorkerDefaults;
  #drained = false;
  /** Idle slots and the outbox loop wait on it; `wake` aborts it and puts a new one. */
  #idle = idleController();

  constructor(options: CampaignWorkerOptions) {
    this.#options = { ...campaignWorkerDefaults, ...options };
  }

  /** Wakes the idle slots at once: contacts were enqueued or released. */
  wake(): void {
    const woken = this.#idle;
    this.#idle = idleController();
    woken.abort();
  }

  async run(signal?: AbortSignal): Promise<RunEnd> {
    this.#drained = false;
    // `stop` ends the run: the caller's abort, or a slot that failed (the others must not
    // go on calling unseen); it wakes the idle slots, as draining does, so the run ends at once.
    const stop = new AbortController();
    setMaxListeners(0, stop.signal); // every contact in flight listens to it
    stop.signal.addEventListener('abort', () => this.wake(), { once: true });
    const onAbort = (): void => stop.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const failures: unknown[] = [];
    const guard = (loop: Promise<void>): Promise<void> =>
      loop.catch((error: unknown) => {
        failures.push(error);
        // the contacts in flight are stopped with a reason of their own: the failure is the
        // run's, not the provider each of them was talking to
        stop.abort(new Error('stopped: the run is ending on an error'));
      });
    try {
      await guard(this.#recoverLeases());
      const slots = Array.from({ length: this.#options.concurrency }, () =>
        guard(this.#slot(stop.signal)),
      );
      await Promise.all([...slots, guard(this.#outboxLoop(stop.signal))]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (failures.length > 0) throw failures[0];
    return this.#drained ? 'drained' : 'aborted';
  }

  /** Hands back at once what dead processes of this host held; reports the other leases. */
  async #recoverLeases(): Promise<void> {
    const { queue, clock, events, leaseRecovery } = this.#options;
    const found = await recoverLeases(queue, leaseRecovery);
    const timestamp = clock.now();
    for (const { pid, contacts } of found.reclaimed) {
      events.emit({ type: 'leases_reclaimed', timestamp, pid, contacts });
    }
    for (const { holder, contacts, expiresAt, why } of found.waiting) {
      const who =
        holder === undefined
          ? 'an earlier version'
          : why === 'running'
            ? `pid ${holder.pid} (still running)`
            : why === 'other_namespace'
              ? `pid ${holder.pid} of another container on ${holder.host}`
              : `${holder.host} pid ${holder.pid}`;
      events.emit({ type: 'leases_waiting', timestamp, contacts, holder: who, until: expiresAt });
    }
  }

  async #slot(signal: AbortSignal): Promise<void> {
    const { queue, clock, leaseMs, workerId, idlePollMs } = this.#options;
    let lostInARow = 0;
    while (!signal.aborted && !this.#drained) {
      const claimed = await queue.claim(workerId, leaseMs);
      if (claimed) {
        const outcome = await this.#work(claimed, signal);
        lostInARow = outcome.kind === 'lease_lost' ? lostInARow + 1 : 0;
        if (lostInARow >= 2) {
          await clock.sleep(this.#backoff(lostInARow), signal).catch(() => undefined);
        }
        // A contact refused at once is all synchronous work (the queue is SQLite, an open
        // circuit answers at once): let timers and I/O in before the next one.
        await clock.sleep(0);
        continue;
      }
      if (
        !this.#options.untilStopped &&
        !(await queue.hasUnfinished()) &&
        (await this.#outboxEmpty())
      ) {
        this.#drained = true;
        this.wake();
        return;
      }
      const dueAt = (await queue.nextDueAt()) ?? Number.POSITIVE_INFINITY;
      await this.#idleWait(Math.min(idlePollMs, Math.max(0, dueAt - clock.now())), signal);
    }
  }

  /** 1 s after the second lost lease in a row, then doubling up to the cap. */
  #backoff(lostInARow: number): number {
    const { slotBackoffMs, maxSlotBackoffMs } = this.#options;
    return Math.min(maxSlotBackoffMs, slotBackoffMs * 2 ** (lostInARow - 2));
  }

  /**
   * Works one contact, renewing its lease every third of it. A renewal that finds the lease
   * taken over stops the contact's steps at once (a stale worker must not pay for a synthesis
   * or place a call); one that fails in the queue ends the run.
   */
  async #work(claimed: ClaimedContact, signal?: AbortSignal): Promise<ContactOutcome> {
    const { queue, clock, leaseMs, flow, onOutcome, events } = this.#options;
    const id = claimed.contact.id;
    const steps = new AbortController();
    const onStop = (): void => steps.abort(signal?.reason);
    if (signal?.aborted) onStop();
    signal?.addEventListener('abort', onStop, { once: true });
    let renewalFailure: unknown;
    let done = false;
    let renewal = clock.setTimer(function renew() {
      queue.renew(id, claimed.leaseToken, leaseMs).then(
        (held) => {
          if (done) return;
          if (held) renewal = clock.setTimer(renew, leaseMs / 3);
          else steps.abort(new LeaseLostError(id));
        },
        (error: unknown) => {
          renewalFailure = error;
          steps.abort(error);
        },
      );
    }, leaseMs / 3);
    try {
      const outcome = await flow.process(claimed, steps.signal);
      if (renewalFailure !== undefined) throw renewalFailure;
      if (outcome.kind === 'lease_lost') {
        events.emit({ type: 'lease_lost', timestamp: clock.now(), contactId: id });
      }
      onOutcome?.(id, outcome);
      return outcome;
    } finally {
      done = true;
      renewal.clear();
      signal?.removeEventListener('abort', onStop);
    }
  }

  async #outboxLoop(signal: AbortSignal): Promise<void> {
    const { outbox, idlePollMs } = this.#options;
    while (!signal.aborted && !this.#drained) {
      await outbox.replay(signal);
      await this.#idleWait(idlePollMs, signal);
    }
  }

  /** Waits `ms`, or less when woken; not at all once the run is ending. */
  async #idleWait(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.#drained) return;
    await this.#options.clock.sleep(ms, this.#idle.signal).catch(() => undefined);
  }

  /** Whether the CRM outbox is empty, once what can be replayed now has been. */
  async #outboxEmpty(): Promise<boolean> {
    const { queue, outbox } = this.#options;
    if ((await queue.outboxSize()) === 0) return true;
    await outbox.replay();
    return (await queue.outboxSize()) === 0;
  }
}

function idleController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every idle slot waits on it
  return controller;
}
