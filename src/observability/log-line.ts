import { randomUUID } from 'node:crypto';
import type {
  CallContext,
  CallFailedEvent,
  CallRejectedEvent,
  CallSucceededEvent,
  HealthProbeEvent,
  RetryScheduledEvent,
  StateChangedEvent,
} from '../resilience/index.ts';
import { asSentence, formatDuration } from '../text/duration.ts';
import type { AgentEvent, LogLevel, LogRecord, ObservedEvent } from './log-record.ts';

type Line = Omit<LogRecord, 'event_id'>;

/**
 * Maps an engine or agent event to its log line. Pure but for `newId`, which makes the
 * line's `event_id` (default: a random UUID).
 */
export function toLogRecord(observed: ObservedEvent, newId: () => string = randomUUID): LogRecord {
  return { ...lineOf(observed), event_id: newId() };
}

function lineOf(observed: ObservedEvent): Line {
  switch (observed.type) {
    case 'retry_scheduled':
      return retryScheduled(observed.event);
    case 'call_succeeded':
      return callSucceeded(observed.event);
    case 'call_failed':
      return callFailed(observed.event);
    case 'call_rejected':
      return callRejected(observed.event);
    case 'state_changed':
      return stateChanged(observed.event);
    case 'health_probe':
      return healthProbe(observed.event);
    case 'agent':
      return agent(observed.event);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

function contactIdOf(context: CallContext | undefined): string | undefined {
  const id = context?.['contactId'];
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function retryScheduled(e: RetryScheduledEvent): Line {
  return {
    timestamp: iso(e.timestamp),
    level: 'WARNING',
    service: e.service,
    message: `${asSentence(e.error.message)} Retry ${e.retryCount} in ${formatDuration(e.delayMs)}.`,
    retry_count: e.retryCount,
    circuit_state: e.circuitState,
    event: 'retry_scheduled',
    contact_id: contactIdOf(e.context),
    error_type: e.error.errorClass,
  };
}

function callSucceeded(e: CallSucceededEvent): Line {
  const contactId = contactIdOf(e.context);
  return {
    timestamp: iso(e.timestamp),
    level: 'INFO',
    service: e.service,
    message: contactId === undefined ? 'Call successful' : `Call successful for ${contactId}`,
    retry_count: e.retryCount,
    circuit_state: e.circuitState,
    event: 'call_succeeded',
    contact_id: contactId,
  };
}

/** permanent/service → CRITICAL; any other → ERROR. */
function failureLevel(e: CallFailedEvent): LogLevel {
  return e.error.errorClass === 'permanent/service' ? 'CRITICAL' : 'ERROR';
}

function callFailed(e: CallFailedEvent): Line {
  const contactId = contactIdOf(e.context);
  if (e.gaveUp === 'aborted') {
    // the agent stopped the call (a signal, --max-duration, a lost lease): not the service's doing
    return {
      timestamp: iso(e.timestamp),
      level: 'WARNING',
      service: 'Agent',
      message: `Stopped the ${e.service} call${contactId === undefined ? '' : ` of ${contactId}`}: ${e.error.message}`,
      retry_count: e.retryCount,
      circuit_state: e.circuitState,
      event: 'call_stopped',
      contact_id: contactId,
    };
  }
  return {
    timestamp: iso(e.timestamp),
    level: failureLevel(e),
    service: e.service,
    message: e.error.message,
    retry_count: e.retryCount,
    circuit_state: e.circuitState,
    event: 'call_failed',
    contact_id: contactId,
    error_type: e.error.errorClass,
  };
}

function callRejected(e: CallRejectedEvent): Line {
  return {
    timestamp: iso(e.timestamp),
    level: 'WARNING',
    service: e.service,
    message:
      e.reason === 'circuit_open'
        ? 'Circuit OPEN. Skipping call.'
        : 'Too many calls in flight. Skipping call.',
    retry_count: null,
    circuit_state: e.circuitState,
    event: 'call_rejected',
    contact_id: contactIdOf(e.context),
    error_type: e.reason === 'circuit_open' ? 'circuit_open' : 'bulkhead_rejected',
  };
}

/** Opening → ERROR (the service is cut off until it recovers); half-open and closing → INFO. */
function stateChanged(e: StateChangedEvent): Line {
  const cause = e.error ? `: ${e.error.message}` : '';
  return {
    timestamp: iso(e.timestamp),
    level: e.to === 'OPEN' ? 'ERROR' : 'INFO',
    service: e.service,
    message: `Circuit ${e.from} → ${e.to} (${e.reason})${cause}`,
    retry_count: null,
    circuit_state: e.to,
    event: 'circuit_state_changed',
    contact_id: contactIdOf(e.context),
    error_type: e.error?.errorClass,
  };
}

function healthProbe(e: HealthProbeEvent): Line {
  return {
    timestamp: iso(e.timestamp),
    level: e.healthy ? 'INFO' : 'WARNING',
    service: e.service,
    message: e.healthy
      ? `Health check passed in ${e.durationMs} ms${e.circuitState === 'OPEN' ? '; the circuit stays OPEN' : ''}`
      : `Health check failed (${e.consecutiveFailures} in a row): ${e.error?.message ?? 'no answer'}`,
    retry_count: null,
    circuit_state: e.circuitState ?? null,
    event: 'health_probe',
    error_type: e.error?.errorClass,
  };
}

const agentLevels: Record<AgentEvent['type'], LogLevel> = {
  contact_completed: 'INFO',
  contact_failed: 'ERROR',
  contact_deferred: 'WARNING',
  contact_degraded: 'WARNING',
  lease_lost: 'WARNING',
  contacts_waiting: 'WARNING',
  leases_reclaimed: 'WARNING',
  leases_waiting: 'WARNING',
};

function agent(e: AgentEvent): Line {
  return {
    timestamp: iso(e.timestamp),
    level: agentLevels[e.type],
    service: e.service,
    message: e.message,
    retry_count: e.retryCount ?? null,
    circuit_state: e.circuitState ?? null,
    event: e.type,
    contact_id: e.contactId,
    error_type: e.errorType,
  };
}
