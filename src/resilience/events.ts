/** Removes the subscription it was returned by. Calling it twice is harmless. */
export type Disposer = () => void;

/** Subscribes a listener; the returned function unsubscribes it. */
export type Subscribe<T> = (listener: (event: T) => void) => Disposer;

/**
 * A typed event source. Listeners run synchronously in subscription order; one that throws
 * does not stop the others or the engine (its error is reported through `onListenerError`).
 */
export class EventEmitter<T> {
  #listeners: Array<(event: T) => void> = [];

  /** Subscribe; the returned disposer unsubscribes. */
  readonly subscribe: Subscribe<T>;

  constructor() {
    // bound here rather than in a field initializer: under tsx (esbuild keepNames) a field
    // arrow gets a defineProperty('name') that makes every emitter ~250 bytes heavier
    this.subscribe = (listener) => {
      this.#listeners = [...this.#listeners, listener];
      return () => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
      };
    };
  }

  /** Whether anyone listens: lets hot paths skip building an event nobody reads. */
  get hasListeners(): boolean {
    return this.#listeners.length > 0;
  }

  get listenerCount(): number {
    return this.#listeners.length;
  }

  emit(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

/** Without a handler, a short process warning (the error's name only: no message, no dump). */
function warnListenerFailed(error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  process.emitWarning(
    `an event listener threw (${name}); install a handler with onListenerError() to see it`,
    { code: 'E_LISTENER_FAILED' },
  );
}

let listenerErrorHandler: (error: unknown) => void = warnListenerFailed;

/**
 * Where errors thrown by event listeners go (default: a short process warning). Returns a
 * disposer that puts the previous handler back.
 */
export function onListenerError(handler: (error: unknown) => void): Disposer {
  const previous = listenerErrorHandler;
  listenerErrorHandler = handler;
  return () => {
    if (listenerErrorHandler === handler) listenerErrorHandler = previous;
  };
}

function reportListenerError(error: unknown): void {
  listenerErrorHandler(error);
}
