import type {
  CallFailedEvent,
  CallRejectedEvent,
  CallSucceededEvent,
  CircuitState,
  HealthProbeEvent,
  RetryScheduledEvent,
  StateChangedEvent,
} from '../resilience/index.ts';

/** The seed's log levels, lowest first. */
export type LogLevel = 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export const LOG_LEVELS: readonly LogLevel[] = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/**
 * One structured log line. The first six fields are the seed's, spelled as the seed spells
 * them; the others are added where they apply.
 */
export interface LogRecord {
  /** ISO 8601 (UTC) of the event's clock time. */
  timestamp: string;
  level: LogLevel;
  /** Display name: `OpenAI`, `ElevenLabs`, `Twilio`, `HubSpot` … */
  service: string;
  message: string;
  retry_count: number | null;
  /** null when the line is not about a call through a breaker (e.g. an agent event). */
  circuit_state: CircuitState | null;
  /** What happened: `call_failed`, `circuit_state_changed`, `contact_completed` … */
  event: string;
  contact_id?: string | undefined;
  /** The taxonomy class of the error (`transient`, `permanent/service` …). */
  error_type?: string | undefined;
  /** Unique per line: lets the Google Sheets sink skip rows it has already appended. */
  event_id: string;
}

export type AgentEventType =
  | 'contact_completed'
  | 'contact_failed'
  | 'contact_deferred'
  | 'contact_degraded'
  | 'lease_lost'
  | 'contacts_waiting'
  | 'leases_reclaimed'
  | 'leases_waiting';

/** What the campaign worker reports about a contact, beside the engine's call events. */
export interface AgentEvent {
  type: AgentEventType;
  /** The contact it is about, if it is about one. */
  contactId?: string | undefined;
  service: string;
  message: string;
  /** Clock time, ms since the epoch. */
  timestamp: number;
  retryCount?: number | undefined;
  circuitState?: CircuitState | undefined;
  errorType?: string | undefined;
}

/** An engine or agent event, tagged with where it came from. */
export type ObservedEvent =
  | { type: 'retry_scheduled'; event: RetryScheduledEvent }
  | { type: 'call_succeeded'; event: CallSucceededEvent }
  | { type: 'call_failed'; event: CallFailedEvent }
  | { type: 'call_rejected'; event: CallRejectedEvent }
  | { type: 'state_changed'; event: StateChangedEvent }
  | { type: 'health_probe'; event: HealthProbeEvent }
  | { type: 'agent'; event: AgentEvent };
