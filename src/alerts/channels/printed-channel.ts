import { alertText, type Alert, type Severity } from '../alert.ts';
import type { AlertChannel } from './channel.ts';

/**
 * Prints each alert as the other channels would send it: for the simulation, so a person sees
 * which alerts a campaign raises, and where they would go.
 */
export class PrintedAlertChannel implements AlertChannel {
  readonly name = 'printed';
  readonly minSeverity: Severity;
  readonly secrets: readonly string[] = [];
  readonly #print: (line: string) => void;
  readonly #destinations: string;

  /**
   * `destinations`: the channels that would send it (none configured: the line says so);
   * `minSeverity`: the least severe alert printed (`--quiet`: warning).
   */
  constructor(
    print: (line: string) => void,
    destinations: readonly string[],
    minSeverity: Severity = 'info',
  ) {
    this.#print = print;
    this.minSeverity = minSeverity;
    this.#destinations =
      destinations.length === 0 ? 'no channel configured' : `to ${destinations.join(', ')}`;
  }

  async send(alert: Alert): Promise<void> {
    this.#print(`alert (${this.#destinations}): ${alertText(alert)}`);
  }
}
