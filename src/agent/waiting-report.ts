import type { CallQueue } from '../queue/call-queue.ts';
import type { Clock, ServicePolicy, TimerHandle } from '../resilience/index.ts';
import type { AgentEvent } from './agent-events.ts';

export interface WaitingReportOptions {
  queue: Pick<CallQueue, 'waiting'>;
  policies: ReadonlyMap<string, ServicePolicy>;
  clock: Clock;
  /** How often the report is made while contacts wait on a service. */
  intervalMs: number;
  emit: (event: Extract<AgentEvent, { type: 'contacts_waiting' }>) => void;
}

/**
 * Once per interval, for each service contacts wait on: how many, the circuit's state and
 * why, and when it is tried next. One line per service per interval, however many contacts
 * and however long the outage: what the log and Google Sheets get instead of a line per
 * skipped contact.
 */
export class WaitingReport {
  readonly #options: WaitingReportOptions;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(options: WaitingReportOptions) {
    this.#options = options;
  }

  /** Starts reporting; a queue failure is handed to `onFailure` and stops the reports. */
  start(onFailure: (error: unknown) => void): void {
    this.#running = true;
    const { clock, intervalMs } = this.#options;
    const tick = (): void => {
      this.#report().then(
        () => {
          if (this.#running) this.#timer = clock.setTimer(tick, intervalMs);
        },
        (error: unknown) => onFailure(error),
      );
    };
    this.#timer = clock.setTimer(tick, intervalMs);
  }

  stop(): void {
    this.#running = false;
    this.#timer?.clear();
    this.#timer = undefined;
  }

  async #report(): Promise<void> {
    const { queue, policies, clock, emit } = this.#options;
    for (const { service, contacts, untilReleased } of await queue.waiting()) {
      const policy = service === undefined ? undefined : policies.get(service);
      if (service === undefined || policy === undefined) continue;
      const circuit = policy.circuit();
      if (circuit.state === 'CLOSED' && untilReleased === 0) continue;
      emit({
        type: 'contacts_waiting',
        timestamp: clock.now(),
        service,
        contacts,
        state: circuit.state,
        why: circuit.error?.providerCode ?? circuit.reason,
        nextAttemptAt: policy.nextAttemptAt(),
      });
    }
  }
}
