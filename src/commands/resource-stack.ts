/**
 * What a command opened, closed in one place: in reverse order of opening, each once, one
 * failure not stopping the others (the first is rethrown once all are closed).
 */
export class ResourceStack {
  readonly #closers: Array<() => unknown> = [];

  /** Registers how to close something just opened. */
  defer(close: () => unknown): void {
    this.#closers.push(close);
  }

  /** Closes everything registered so far, newest first; safe to call again. */
  async closeAll(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let close = this.#closers.pop(); close; close = this.#closers.pop()) {
      try {
        await close();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
