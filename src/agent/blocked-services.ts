import type { Disposer, ErrorInfo, ServicePolicy } from '../resilience/index.ts';

/** A service that serves nobody until a person acts (a revoked key, a spent quota …). */
export interface BlockedService {
  service: string;
  /** Since when its circuit has been open on such an error, without closing in between. */
  since: number;
  /** The latest error that kept it open. */
  error: ErrorInfo;
}

/**
 * Watches the policies for circuits opened by a `permanent/service` error and kept open by
 * the same kind of error (a half-open trial or a probe that failed again). A circuit that
 * closes, or reopens on a transient error, is no longer blocked: time can fix that.
 */
export class BlockedServices {
  readonly #blocked = new Map<string, BlockedService>();
  readonly #disposers: Disposer[] = [];

  constructor(policies: Iterable<ServicePolicy>) {
    for (const policy of policies) {
      this.#disposers.push(
        policy.onStateChanged((event) => {
          const { service, error, timestamp } = event;
          if (event.to === 'CLOSED') this.#blocked.delete(service);
          // reopened with no error of its own (a trial that never answered): nothing new
          if (event.to !== 'OPEN' || error === undefined) return;
          if (error.errorClass !== 'permanent/service') this.#blocked.delete(service);
          else {
            const since = this.#blocked.get(service)?.since ?? timestamp;
            this.#blocked.set(service, { service, since, error });
          }
        }),
      );
    }
  }

  /** The services blocked now, each with since when. */
  list(): BlockedService[] {
    return [...this.#blocked.values()].map((blocked) => ({ ...blocked }));
  }

  dispose(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
  }
}
