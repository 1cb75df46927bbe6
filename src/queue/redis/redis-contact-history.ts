import {
  contactHistoryDefaults,
  type ContactEvent,
  type ContactHistory,
  type ContactHistoryOptions,
} from '../contact-history.ts';
import { historyAppendScript, historyListScript } from './admin-scripts.ts';
import type { LuaScript } from './lua-script.ts';

/** Runs one of the queue's scripts (its prefix, time and byte cap first): the queue's own. */
export type RunQueueScript = (
  script: LuaScript,
  ...args: Array<string | number>
) => Promise<unknown>;

export interface RedisContactHistoryOptions extends ContactHistoryOptions {
  /** Who writes (a worker's id): published with each append, so a reader can skip its own. */
  origin?: string | undefined;
}

/** The channel (under the queue's prefix) each append is published on. */
export const HISTORY_CHANNEL = 'ev';

/** What an append publishes: who wrote, and the events. */
export interface AppendedEvents {
  origin: string;
  events: ContactEvent[];
}

/**
 * Each contact's event history in the fleet's Redis, beside the contact (`P:h:<id>`): the
 * last `keepPerContact` events, whichever worker wrote them (each record names it: `worker`,
 * the `origin`); removed with the contact, and
 * counted in the queue's bytes. Each append is one script, published on `P:ev` for the
 * dashboards of the fleet (`parseAppended`).
 */
export class RedisContactHistory implements ContactHistory {
  readonly #run: RunQueueScript;
  readonly #keep: number;
  readonly #origin: string;

  constructor(run: RunQueueScript, options: RedisContactHistoryOptions = {}) {
    const keep = options.keepPerContact ?? contactHistoryDefaults.keepPerContact;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new RangeError(`keepPerContact is a whole number ≥ 1, got ${keep}`);
    }
    this.#run = run;
    this.#keep = keep;
    this.#origin = options.origin ?? '';
  }

  async append(events: readonly ContactEvent[]): Promise<void> {
    if (events.length === 0) return;
    // each event says which worker wrote it
    const signed = this.#origin === '' ? [...events] : events.map((e) => this.#signed(e));
    const message = JSON.stringify({
      origin: this.#origin,
      events: signed,
    } satisfies AppendedEvents);
    const pairs = signed.flatMap((event) => [
      event.contactId,
      JSON.stringify({ at: Math.floor(event.at), record: event.record }),
    ]);
    await this.#run(historyAppendScript, this.#keep, message, events.length, ...pairs);
  }

  #signed(event: ContactEvent): ContactEvent {
    return { ...event, record: { ...event.record, worker: this.#origin } };
  }

  async list(contactId: string, limit = this.#keep): Promise<ContactEvent[]> {
    const count = Math.min(this.#keep, Math.max(0, Math.floor(limit)));
    const entries = (await this.#run(historyListScript, contactId, count)) as string[];
    return entries.map((entry) => {
      const { at, record } = JSON.parse(entry) as Omit<ContactEvent, 'contactId'>;
      return { contactId, at, record };
    });
  }
}

/** A message of `P:ev`, or undefined for one that is not an append's. */
export function parseAppended(message: string): AppendedEvents | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<AppendedEvents>;
    if (typeof parsed.origin !== 'string' || !Array.isArray(parsed.events)) return undefined;
    return { origin: parsed.origin, events: parsed.events };
  } catch {
    return undefined;
  }
}
