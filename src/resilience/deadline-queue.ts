import type { Clock, TimerHandle } from './clock.ts';

/** An entry in a DeadlineQueue. */
export interface DeadlineEntry {
  deadline: number;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  queued: boolean;
  /** Called once when the deadline passes while the entry is still queued. */
  expire(): void;
  /** Called when the queue is closed with a reason while the entry is still queued. */
  abort(reason: unknown): void;
}

/**
 * Deadlines that all have the same length. Entries join in start order, so they also expire
 * in that order: one timer, armed for the oldest entry, serves any number of calls in flight,
 * and adding or removing an entry is O(1) with no timer created or cleared. The timer keeps
 * the process alive while an entry is queued, and only then.
 */
export class DeadlineQueue {
  readonly timeoutMs: number;
  readonly #clock: Clock;
  #head: DeadlineEntry | undefined;
  #tail: DeadlineEntry | undefined;
  #timer: TimerHandle | undefined;
  #size = 0;

  constructor(timeoutMs: number, clock: Clock) {
    this.timeoutMs = timeoutMs;
    this.#clock = clock;
  }

  get size(): number {
    return this.#size;
  }

  add(entry: DeadlineEntry): void {
    entry.deadline = this.#clock.now() + this.timeoutMs;
    entry.prev = this.#tail;
    entry.next = undefined;
    entry.queued = true;
    if (this.#tail) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
    // a call in flight keeps the process alive through its deadline; an idle queue does not
    if (this.#size++ === 0) this.#timer?.keepAlive?.(true);
    if (this.#timer === undefined) this.#arm(this.timeoutMs);
  }

  remove(entry: DeadlineEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.#head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.#tail = entry.prev;
    entry.prev = entry.next = undefined;
    if (--this.#size === 0) this.#timer?.keepAlive?.(false);
  }

  /**
   * Cancels the timer; entries still queued will not expire. With a `reason`, each of them is
   * aborted with it (oldest first) and removed.
   */
  close(reason?: unknown): void {
    this.#timer?.clear();
    this.#timer = undefined;
    if (reason === undefined) return;
    for (let head = this.#head; head; head = this.#head) {
      this.remove(head);
      head.abort(reason);
    }
  }

  #arm(ms: number): void {
    // a closure per arming (rare), not a bound field per queue (memory)
    this.#timer = this.#clock.setTimer(() => this.#fire(), ms, { keepAlive: this.#size > 0 });
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    let head = this.#head;
    while (head && head.deadline <= now) {
      this.remove(head);
      head.expire();
      head = this.#head;
    }
    if (head) this.#arm(head.deadline - now);
  }
}
