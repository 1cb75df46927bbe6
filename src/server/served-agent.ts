import type { CountryCode } from 'libphonenumber-js/max';
import type { Campaign } from '../agent/campaign.ts';
import type { Metrics } from '../observability/index.ts';
import type { MockProviders } from '../providers/index.ts';
import type { CallQueue, ContactEvent, QueueAdmin } from '../queue/index.ts';
import type { Redactor } from '../redaction/redact.ts';
import type { Clock } from '../resilience/index.ts';
import type { EventHub } from './event-hub.ts';
import type { ServerMetrics } from './server-metrics.ts';
import type { ServiceMonitor } from './service-monitor.ts';

/** Whether the server takes work: `draining` from the first signal on. */
export interface Lifecycle {
  draining: boolean;
}

/** What the API serves and steers: the agent at work, and what watches it. */
export interface ServedAgent {
  campaign: Campaign;
  queue: CallQueue & QueueAdmin;
  /** Each contact's events (the queue's, whichever worker wrote them). */
  history: { list(contactId: string): Promise<ContactEvent[]> };
  clock: Clock;
  /** Region of numbers posted without `+country`. */
  defaultRegion: CountryCode;
  hub: EventHub;
  monitor: ServiceMonitor;
  metrics: Metrics;
  /** The server's own: requests answered, event streams. */
  serverMetrics: ServerMetrics;
  lifecycle: Lifecycle;
  /**
   * Whether this server is a member of its fleet now (a server on Redis): `/readyz` is 503
   * while it is not, with what this says.
   */
  readiness?: (() => { ready: boolean } & Record<string, unknown>) | undefined;
  /** Masks secrets and phone numbers in everything the API answers. */
  redact: Redactor;
  /** Writes a line to the log (and so to the event feed). */
  log(level: 'INFO' | 'WARNING' | 'ERROR', message: string, event: string): void;
  /** The mock providers, with `--mock-providers`: the dashboard can break and heal them. */
  mock?: MockProviders | undefined;
}
