import type { AgentEvent } from '../agent/agent-events.ts';
import { count } from '../text/count.ts';
import type { AgentEvent as LoggedAgentEvent } from '../observability/index.ts';

/**
 * A reason without the service's name at its head (`Twilio: 400 …` → `400 …`): the line names
 * the service in its own column. The queue keeps the reason whole, where no column names it.
 */
function withoutService(reason: string, service: string | undefined): string {
  return service !== undefined && reason.startsWith(`${service}: `)
    ? reason.slice(service.length + 2)
    : reason;
}

/** The log line of an agent event (undefined for one that is logged another way). */
export function toLoggedEvent(event: AgentEvent): LoggedAgentEvent | undefined {
  if (event.type === 'leases_reclaimed' || event.type === 'leases_waiting') {
    const message =
      event.type === 'leases_reclaimed'
        ? `Reclaimed ${count(event.contacts, 'contact')} held by pid ${event.pid}, which no longer runs`
        : `${count(event.contacts, 'contact')} held by ${event.holder} wait${event.contacts === 1 ? 's' : ''} until ${new Date(event.until).toISOString()}, when their leases run out`;
    return { type: event.type, service: 'Agent', message, timestamp: event.timestamp };
  }
  if (event.type === 'contacts_waiting') {
    const why = event.why === undefined ? '' : ` (${event.why})`;
    return {
      type: 'contacts_waiting',
      service: event.service,
      message: `${event.service} circuit ${event.state}${why}: ${count(event.contacts, 'contact')} waiting, ${whatComesNext(event)}`,
      timestamp: event.timestamp,
      circuitState: event.state,
    };
  }
  if (event.type === 'programming_error') return undefined;
  const base = { contactId: event.contactId, timestamp: event.timestamp };
  switch (event.type) {
    case 'contact_completed':
      return {
        ...base,
        type: 'contact_completed',
        service: 'Agent',
        message: `Contact ${event.contactId} completed${event.degraded ? ' (degraded)' : ''}`,
      };
    case 'contact_failed':
      return {
        ...base,
        type: 'contact_failed',
        service: event.service ?? 'Agent',
        message: `Contact ${event.contactId} failed: ${withoutService(event.reason, event.service)}`,
      };
    case 'contact_deferred':
      return {
        ...base,
        type: 'contact_deferred',
        service: event.service ?? 'Agent',
        message: event.untilReleased
          ? `Contact ${event.contactId} waits until ${event.service} takes calls again: ${withoutService(event.reason, event.service)}`
          : `Contact ${event.contactId} deferred until ${new Date(event.notBefore).toISOString()}: ${withoutService(event.reason, event.service)}`,
      };
    case 'step_degraded':
      return {
        ...base,
        type: 'contact_degraded',
        service: event.service,
        message: `${event.service} unavailable for ${event.contactId}: using ${event.fallback}`,
      };
    case 'lease_lost':
      return {
        ...base,
        type: 'lease_lost',
        service: 'Agent',
        message: `Lease on ${event.contactId} was lost (another worker took the contact over): its steps here were stopped`,
      };
    case 'outbox_replayed':
      return {
        ...base,
        type: 'contact_completed',
        service: event.service,
        message: `CRM record of ${event.contactId} replayed from the outbox`,
      };
  }
}

/** What the waiting contacts wait for, as the circuit's state says. */
function whatComesNext(event: Extract<AgentEvent, { type: 'contacts_waiting' }>): string {
  if (event.state === 'CLOSED') return 'being let back in';
  if (event.state === 'HALF_OPEN') return 'a trial under way';
  return `next trial ${new Date(event.nextAttemptAt).toISOString().slice(11, 19)}`;
}
