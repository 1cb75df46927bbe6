/** How urgent an alert is, lowest first. */
export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** True when `severity` is at least `minimum`. */
export function atLeast(severity: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(minimum);
}

export type AlertKind =
  | 'permanent_failure'
  | 'circuit_opened'
  | 'retries_exhausted'
  | 'service_unhealthy'
  | 'circuit_closed'
  | 'service_recovered'
  | 'test';

/** What a rule (or a caller of `AlertManager.raise`) reports. */
export interface AlertInput {
  kind: AlertKind;
  severity: Severity;
  service: string;
  message: string;
  /** The taxonomy class of the error behind it, if any. */
  errorType?: string | undefined;
  /** Clock time, ms since the epoch (default: the manager's clock). */
  timestamp?: number | undefined;
}

/** An alert as channels send it. */
export interface Alert {
  /** Unique; also the Standard Webhooks `webhook-id`, the same on every retry. */
  id: string;
  kind: AlertKind;
  severity: Severity;
  service: string;
  errorType: string | undefined;
  message: string;
  timestamp: number;
  /** 1 for a first alert; for a summary, how many more came in the window after it. */
  count: number;
  /** A summary of alerts held back by the dedupe window. */
  summary: boolean;
  /** The dedupe window, for the summary's wording. */
  windowMs: number;
}

const kindTitles: Record<AlertKind, string> = {
  permanent_failure: 'permanent failure',
  circuit_opened: 'circuit opened',
  retries_exhausted: 'retries exhausted',
  service_unhealthy: 'service unhealthy',
  circuit_closed: 'circuit closed again',
  service_recovered: 'service healthy again',
  test: 'test alert',
};

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** A one-line title: `[CRITICAL] ElevenLabs: circuit opened`. */
export function alertTitle(alert: Alert): string {
  return `[${alert.severity.toUpperCase()}] ${alert.service}: ${kindTitles[alert.kind]}`;
}

/** The human text every channel shows (Slack's `text`, the e-mail body's first line, Telegram). */
export function alertText(alert: Alert): string {
  const repeat = alert.summary
    ? ` — ${alert.count} more in the last ${duration(alert.windowMs)}; latest:`
    : ' —';
  return `${alertTitle(alert)}${repeat} ${alert.message}`;
}
