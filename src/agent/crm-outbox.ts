import type { CallRecord, Crm } from '../providers/ports.ts';
import type { CallQueue } from '../queue/call-queue.ts';
import { describeError, isPermanentError, type Clock } from '../resilience/index.ts';
import type { EventEmitter } from '../resilience/events.ts';
import type { AgentEvent } from './agent-events.ts';
import type { ServiceBinding } from './call-flow.ts';

export interface CrmOutboxOptions {
  crm: ServiceBinding<Crm>;
  queue: CallQueue;
  events: EventEmitter<AgentEvent>;
  clock: Clock;
  /** Entries replayed per round. */
  batchSize?: number;
  /**
   * Asks for this process's turn to replay (one process of a fleet at a time): resolves with
   * what ends it, or undefined when another has it. Default: always this process's turn.
   */
  turn?: (() => Promise<(() => void) | undefined>) | undefined;
}

export const crmOutboxDefaults = { batchSize: 20 };

/**
 * Replays CRM records that waited in the durable outbox, oldest first, through the CRM's
 * policy. A round stops at the first failure (the CRM is still unwell); the entry stays.
 */
export class CrmOutbox {
  readonly #crm: ServiceBinding<Crm>;
  readonly #queue: CallQueue;
  readonly #events: EventEmitter<AgentEvent>;
  readonly #clock: Clock;
  readonly #batchSize: number;
  readonly #turn: CrmOutboxOptions['turn'];
  #running: Promise<number> | undefined;

  constructor(options: CrmOutboxOptions) {
    const resolved = { ...crmOutboxDefaults, ...options };
    this.#crm = resolved.crm;
    this.#queue = resolved.queue;
    this.#events = resolved.events;
    this.#clock = resolved.clock;
    this.#batchSize = resolved.batchSize;
    this.#turn = resolved.turn;
  }

  /** Replays what it can now; returns how many records reached the CRM. Never overlaps itself. */
  replay(signal?: AbortSignal): Promise<number> {
    this.#running ??= this.#replay(signal).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #replay(signal?: AbortSignal): Promise<number> {
    const { policy } = this.#crm;
    if (policy.state === 'OPEN' && policy.nextAttemptAt() > this.#clock.now()) return 0;
    if (!this.#turn) return this.#replayRound(signal);
    const endTurn = await this.#turn();
    if (!endTurn) return 0;
    try {
      return await this.#replayRound(signal);
    } finally {
      endTurn();
    }
  }

  async #replayRound(signal?: AbortSignal): Promise<number> {
    const { provider, policy } = this.#crm;
    let replayed = 0;
    for (const entry of await this.#queue.peekOutbox(this.#batchSize)) {
      if (signal?.aborted) break;
      try {
        await policy.execute(
          // the write that put it here may have been processed (its answer lost) in another
          // process, or the contact resumed and wrote it again: HubSpot is asked first
          (attempt) =>
            provider.recordCall(entry.payload as CallRecord, attempt.signal, { lookUpFirst: true }),
          {
            signal,
            context: { contactId: entry.contactId, outbox: true },
          },
        );
      } catch (error) {
        if (!(isPermanentError(error) && error.scope === 'request')) {
          await this.#queue.markOutboxAttempt(entry.id);
          break; // the CRM is still unwell: the entry waits for the next round
        }
        // the CRM refuses this record itself: drop it so it cannot block the ones behind it
        await this.#queue.removeFromOutbox(entry.id);
        this.#events.emit({
          type: 'step_degraded',
          timestamp: this.#clock.now(),
          contactId: entry.contactId,
          service: provider.service,
          fallback: 'no CRM record (refused)',
          reason: describeError(error).message,
        });
        continue;
      }
      await this.#queue.removeFromOutbox(entry.id);
      replayed++;
      this.#events.emit({
        type: 'outbox_replayed',
        timestamp: this.#clock.now(),
        contactId: entry.contactId,
        service: provider.service,
      });
    }
    return replayed;
  }
}
