import { AlertManager, type AlertChannel } from '../../src/alerts/index.ts';
import type { CircuitState, VirtualClock } from '../../src/resilience/index.ts';

/**
 * The agent's AlertManager (its dedupe window, its rate limit) with one channel that keeps
 * what it is sent: attached to the campaign's policies and health checker for every strategy,
 * and given a competitor's breaker openings and closings as `circuit_opened`/`circuit_closed`,
 * as a user of that library would wire its `onBreak`/`open` events.
 */
export class AlertCount {
  readonly manager: AlertManager;
  #sent = 0;

  constructor(private readonly clock: VirtualClock) {
    const channel: AlertChannel = {
      name: 'outage-suite',
      minSeverity: 'info',
      secrets: [],
      send: async () => {
        this.#sent++;
      },
    };
    this.manager = new AlertManager({ channels: [channel], clock, log: () => undefined });
  }

  /** A competitor's breaker changed state. */
  circuit(service: string, state: CircuitState): void {
    if (state === 'OPEN') {
      this.manager.raise({
        kind: 'circuit_opened',
        severity: 'critical',
        service,
        message: 'Circuit OPEN.',
      });
    } else if (state === 'CLOSED') {
      this.manager.raise({
        kind: 'circuit_closed',
        severity: 'info',
        service,
        message: 'Circuit CLOSED again.',
      });
    }
  }

  /** Lets the queued alerts go out (on the virtual clock), then counts them. */
  async settle(): Promise<number> {
    let idle = false;
    void this.manager.idle().then(() => (idle = true));
    await this.clock.runUntil(() => idle);
    await this.manager.close();
    return this.#sent;
  }
}
