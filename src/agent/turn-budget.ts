import type { Clock } from '../resilience/index.ts';

export interface TurnBudgetOptions {
  clock: Clock;
  /** How much of the slots' work one turn of the event loop runs before timers and I/O get in. */
  sliceMs?: number;
}

export const turnBudgetDefaults = { sliceMs: 10 };

/**
 * Shares the event loop among the campaign's slots. A slot passes here before each piece of
 * synchronous work (a claim; the next step once a provider has answered): while this turn's
 * slice lasts it goes on at once, after that it waits for a later turn (`clock.sleep(0)`, so
 * timers and I/O run first). However many slots become runnable together, a turn runs about
 * a slice of their work, not all of it. The slice starts with the first work of a turn and is
 * renewed by a zero-delay timer; on a VirtualClock time stands still while work runs, so the
 * slice is never spent there.
 */
export class TurnBudget {
  readonly #clock: Clock;
  readonly #sliceMs: number;
  /** When the current slice started; undefined until work runs after the last renewal. */
  #sliceStartedAt: number | undefined;

  constructor(options: TurnBudgetOptions) {
    this.#clock = options.clock;
    this.#sliceMs = options.sliceMs ?? turnBudgetDefaults.sliceMs;
    if (!(this.#sliceMs >= 0)) throw new RangeError(`sliceMs must be >= 0, got ${this.#sliceMs}`);
  }

  /**
   * Undefined while the slice lasts: go on at once, without an `await` (slots woken together
   * would otherwise all pass before any of them had worked). Else a promise that resolves in a
   * later turn with time left.
   */
  pass(): Promise<void> | undefined {
    return this.#spent() ? this.#nextTurnWithTime() : undefined;
  }

  async #nextTurnWithTime(): Promise<void> {
    do await this.#clock.sleep(0);
    while (this.#spent());
  }

  #spent(): boolean {
    const now = this.#clock.now();
    if (this.#sliceStartedAt === undefined) {
      this.#sliceStartedAt = now;
      this.#clock.setTimer(() => (this.#sliceStartedAt = undefined), 0);
      return false;
    }
    return now - this.#sliceStartedAt >= this.#sliceMs;
  }
}
