import type { Alert, Severity } from '../alert.ts';

/** Somewhere alerts go. `send` throws only errors of the engine's taxonomy. */
export interface AlertChannel {
  /** `webhook`, `email`, `telegram`: the metrics label and the name in logs. */
  readonly name: string;
  /** Alerts below this severity are not sent here. */
  readonly minSeverity: Severity;
  /** Values to mask in anything logged about this channel (tokens, URLs, passwords). */
  readonly secrets: readonly string[];
  send(alert: Alert, signal: AbortSignal): Promise<void>;
  close?(): void;
}
