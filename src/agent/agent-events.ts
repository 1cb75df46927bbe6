import type { CircuitState } from '../resilience/index.ts';

/** What the campaign tells its sinks about contacts, beside the engine's own events. */
export type AgentEvent =
  | {
      type: 'contact_completed';
      timestamp: number;
      contactId: string;
      callSid: string;
      degraded: boolean;
    }
  | {
      type: 'contact_failed';
      timestamp: number;
      contactId: string;
      service: string | undefined;
      reason: string;
    }
  | {
      type: 'contact_deferred';
      timestamp: number;
      contactId: string;
      service: string | undefined;
      reason: string;
      /** Not before this time; for one that waits until its service is released, a floor. */
      notBefore: number;
      countsAsFailure: boolean;
      /** It waits until its service takes calls again, not for a time. */
      untilReleased: boolean;
    }
  | {
      type: 'step_degraded';
      timestamp: number;
      contactId: string;
      service: string;
      /** What stood in: `template script`, `fallback voice OpenAI`, `CRM outbox`. */
      fallback: string;
      reason: string;
    }
  | { type: 'outbox_replayed'; timestamp: number; contactId: string; service: string }
  | {
      /** Contacts that wait on a service, reported once per interval while they do. */
      type: 'contacts_waiting';
      timestamp: number;
      service: string;
      contacts: number;
      state: CircuitState;
      /** Why the circuit is in that state: the provider's code, or the transition's reason. */
      why: string | undefined;
      /** When the service is tried next. */
      nextAttemptAt: number;
    }
  | {
      /** A bug of the agent's own code (not a provider's failure) stopped the contact. */
      type: 'programming_error';
      timestamp: number;
      contactId: string;
      message: string;
      stack: string | undefined;
    }
  | {
      /** Another worker took the contact over: its steps here were stopped. */
      type: 'lease_lost';
      timestamp: number;
      contactId: string;
    }
  | {
      /** Contacts held by a process of this host that no longer runs, handed back at once. */
      type: 'leases_reclaimed';
      timestamp: number;
      pid: number;
      contacts: number;
    }
  | {
      /** Contacts held by another process, due again when its leases run out. */
      type: 'leases_waiting';
      timestamp: number;
      contacts: number;
      /** `host-b pid 4242`, `pid 4242 (still running)` … */
      holder: string;
      until: number;
    };

export type AgentEventType = AgentEvent['type'];
