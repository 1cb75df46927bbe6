import { VirtualClock } from '../resilience/index.ts';

/**
 * A VirtualClock on which work takes time: `work(ms)` moves `now()` on at once, running no
 * timer, as a stretch of synchronous work moves the real clock while the event loop waits.
 */
export class WorkingClock extends VirtualClock {
  #worked = 0;

  work(ms: number): void {
    this.#worked += ms;
  }

  override now(): number {
    return super.now() + this.#worked;
  }
}
