import type { Checkpoints } from '../queue/call-queue.ts';

/** The steps a contact has done, and those of them not yet written to the queue. */
export class StepLog {
  done: Checkpoints;
  #unsaved: Checkpoints = {};

  constructor(saved: Checkpoints) {
    this.done = { ...saved };
  }

  /** A step is done; it is written with the next write. */
  note(patch: Checkpoints): void {
    this.done = { ...this.done, ...patch };
    this.#unsaved = { ...this.#unsaved, ...patch };
  }

  /**
   * Notes `patch` and passes everything unsaved to `write`; it counts as saved only once
   * `write` succeeds, so a failed write leaves it for the next one.
   */
  async flush<T>(write: (unsaved: Checkpoints) => Promise<T>, patch: Checkpoints = {}): Promise<T> {
    this.note(patch);
    const unsaved = this.#unsaved;
    const result = await write(unsaved);
    if (this.#unsaved === unsaved) this.#unsaved = {};
    return result;
  }
}
