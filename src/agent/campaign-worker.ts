import { setMaxListeners } from 'node:events';
import type { CallQueue, ClaimedContact } from '../queue/call-queue.ts';
import type { Clock } from '../resilience/index.ts';
import type { CallFlow, ContactOutcome } from './call-flow.ts';
import type { CrmOutbox } from './crm-outbox.ts';

export interface CampaignWorkerOptions {
  queue: CallQueue;
  flow: CallFlow;
  outbox: CrmOutbox;
  clock: Clock;
  /** Contacts in flight at once. */
  concurrency?: number;
  /** How long a claim holds a contact; renewed while the contact is worked on. */
  leaseMs?: number;
  /** How often an idle slot looks for due work and the outbox is replayed. */
  idlePollMs?: number;
  workerId?: string;
  /** Told of every contact's outcome. */
  onOutcome?: (contactId: string, outcome: ContactOutcome) => void;
}

export const campaignWorkerDefaults = {
  concurrency: 4,
  leaseMs: 300_000,
  idlePollMs: 1_000,
  workerId: `worker-${process.pid}`,
};

/** Why `run` returned. */
export type RunEnd = 'drained' | 'aborted';

/**
 * Works the queue with `concurrency` slots until every contact is completed or failed and the
 * CRM outbox is empty, or until the signal aborts. A slot never waits on another: a contact
 * that cannot go on is deferred and the slot takes the next one at once.
 */
export class CampaignWorker {
  readonly #options: CampaignWorkerOptions & typeof campaignWorkerDefaults;
  #drained = false;

  constructor(options: CampaignWorkerOptions) {
    this.#options = { ...campaignWorkerDefaults, ...options };
  }

  async run(signal?: AbortSignal): Promise<RunEnd> {
    this.#drained = false;
    // `stop` ends the run: the caller's abort, or a slot that failed (the others must not
    // go on calling unseen). `idle` also wakes idle waits once drained, so the run ends at once.
    const stop = new AbortController();
    const idle = new AbortController();
    setMaxListeners(0, stop.signal); // every contact in flight listens to it
    setMaxListeners(0, idle.signal); // every idle slot waits on it
    stop.signal.addEventListener('abort', () => idle.abort(stop.signal.reason), { once: true });
    const onAbort = (): void => stop.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const failures: unknown[] = [];
    const guard = (loop: Promise<void>): Promise<void> =>
      loop.catch((error: unknown) => {
        failures.push(error);
        stop.abort(error);
      });
    try {
      const slots = Array.from({ length: this.#options.concurrency }, () =>
        guard(this.#slot(idle, stop.signal)),
      );
      await Promise.all([...slots, guard(this.#outboxLoop(idle.signal, stop.signal))]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (failures.length > 0) throw failures[0];
    return this.#drained ? 'drained' : 'aborted';
  }

  async #slot(idle: AbortController, signal?: AbortSignal): Promise<void> {
    const { queue, clock, leaseMs, workerId, idlePollMs } = this.#options;
    while (!signal?.aborted && !this.#drained) {
      const claimed = await queue.claim(workerId, leaseMs);
      if (claimed) {
        await this.#work(claimed, signal);
        continue;
      }
      if (await this.#isDrained()) {
        this.#drained = true;
        idle.abort();
        return;
      }
      const dueAt = (await queue.nextDueAt()) ?? Number.POSITIVE_INFINITY;
      const wait = Math.min(idlePollMs, Math.max(0, dueAt - clock.now()));
      await clock.sleep(wait, idle.signal).catch(() => undefined);
    }
  }

  async #work(claimed: ClaimedContact, signal?: AbortSignal): Promise<void> {
    const { queue, clock, leaseMs, flow, onOutcome } = this.#options;
    const id = claimed.contact.id;
    let done = false;
    let renewal = clock.setTimer(function renew() {
      queue.renew(id, claimed.leaseToken, leaseMs).then(
        (held) => {
          if (held && !done) renewal = clock.setTimer(renew, leaseMs / 3);
        },
        () => undefined, // a failed renewal only lets the lease run out
      );
    }, leaseMs / 3);
    try {
      const outcome = await flow.process(claimed, signal);
      onOutcome?.(id, outcome);
    } finally {
      done = true;
      renewal.clear();
    }
  }

  async #outboxLoop(idle: AbortSignal, signal?: AbortSignal): Promise<void> {
    const { outbox, clock, idlePollMs } = this.#options;
    while (!signal?.aborted && !this.#drained) {
      await outbox.replay(signal);
      await clock.sleep(idlePollMs, idle).catch(() => undefined);
    }
  }

  async #isDrained(): Promise<boolean> {
    const { queue, outbox } = this.#options;
    const counts = await queue.counts();
    if (counts.pending + counts.in_progress + counts.deferred > 0) return false;
    if ((await queue.outboxSize()) === 0) return true;
    await outbox.replay();
    return (await queue.outboxSize()) === 0;
  }
}
