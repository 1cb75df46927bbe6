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
      notBefore: number;
      countsAsFailure: boolean;
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
  | { type: 'outbox_replayed'; timestamp: number; contactId: string; service: string };

export type AgentEventType = AgentEvent['type'];
