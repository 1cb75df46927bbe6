import type { Disposer, Subscribe } from '../events.ts';
import type { StateChangedEvent } from '../policy-events.ts';
import type { CircuitSnapshot, CircuitStateStore } from './state-store.ts';

/** What a breaker offers the store link. */
export interface StoreLinked {
  readonly service: string;
  readonly onStateChanged: Subscribe<StateChangedEvent>;
  snapshot(): CircuitSnapshot;
  restore(snapshot: CircuitSnapshot): void;
}

export type StoreFailure = (operation: 'load' | 'save', error: unknown) => void;

/**
 * Loads the stored state into `breaker`, saves each of its local transitions and adopts the
 * states others save. A store that throws or rejects is reported to `failed`; the breaker
 * goes on with its local state, and is never left with an unhandled rejection.
 */
export async function linkStore(
  breaker: StoreLinked,
  store: CircuitStateStore,
  failed: StoreFailure,
): Promise<Disposer> {
  try {
    const stored = await store.load(breaker.service);
    if (stored) breaker.restore(stored);
  } catch (error) {
    failed('load', error);
  }
  const offChange = breaker.onStateChanged((event) => {
    if (event.reason === 'shared_state') return;
    try {
      // saved synchronously: a sync store shares the change before the next one is made
      Promise.resolve(store.save(breaker.snapshot())).catch((error: unknown) =>
        failed('save', error),
      );
    } catch (error) {
      failed('save', error);
    }
  });
  const offShared = store.subscribe?.(breaker.service, (snapshot) => breaker.restore(snapshot));
  return () => {
    offChange();
    offShared?.();
  };
}
