import type { MockProviderId } from '../../src/providers/index.ts';
import type { CampaignRecord, CircuitChange } from './run-campaign.ts';

/**
 * What a paid request costs (USD), a stated assumption: an OpenAI script of ~1k tokens on a
 * small model, an ElevenLabs clip of ~300 characters at ~$0.17 per 1k characters, a Twilio
 * outbound call's first minute; HubSpot's API is part of the subscription.
 */
export const pricePerRequest: Readonly<Record<MockProviderId, number>> = {
  openai: 0.002,
  elevenlabs: 0.05,
  twilio: 0.014,
  hubspot: 0,
};

/** Requests to the failing provider per bucket of this length, for the charts. */
export const SERIES_BUCKET_MS = 30_000;

/** The figures of one campaign (times in ms, money in USD). */
export interface Figures {
  strategy: string;
  completed: number;
  failed: number;
  stillQueued: number;
  /** Completed with a template script or a fallback voice. */
  degraded: number;
  /** Operations sent to the failing provider while it failed. */
  requestsWhileFailing: number;
  /** From the end of the failure to the first operation the provider answered with 2xx. */
  recoveryToFirstSuccessMs: number | null;
  /** From a contact's first claim to its end (completed or failed), over the contacts that ended. */
  contactP50Ms: number | null;
  contactP95Ms: number | null;
  /** Operations sent to the failing provider ÷ calls the flow made to it, over the run. */
  retryAmplification: number | null;
  /** Times the failing service's circuit opened while it failed. */
  circuitOpenings: number;
  /** Alerts the agent's alert manager sent. */
  alertsSent: number;
  /** 2xx answers that were paid for and that no completed contact used. */
  moneyWastedUsd: number;
  /** The CRM records waiting in the outbox, at most. */
  outboxPeak: number;
  /** How long the campaign ran (virtual). */
  runMs: number;
  /** A contact called twice (never, for any strategy: the flow guarantees it). */
  contactsCalledTwice: number;
}

export interface Series {
  bucketMs: number;
  /** Operations to the failing provider per bucket, from the start. */
  requests: number[];
  circuit: CircuitChange[];
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ok = (status: number): boolean => status >= 200 && status < 300;

export function figuresOf(record: CampaignRecord): Figures {
  const { failing } = record.scenario;
  const operations = record.requests.filter(
    (r) => r.provider === failing.provider && r.kind === 'operation',
  );
  const during = operations.filter((r) => r.at >= failing.fromMs && r.at < failing.toMs);
  const firstOk = operations.find((r) => r.at >= failing.toMs && ok(r.status));
  const durations = [...record.contacts.values()]
    .flatMap((c) => (c.endedAt === undefined ? [] : [c.endedAt - c.claimedAt]))
    .sort((a, b) => a - b);
  const calls = record.callsByService.get(failing.service) ?? 0;
  let wasted = 0;
  for (const provider of Object.keys(pricePerRequest) as MockProviderId[]) {
    const paid = record.requests.filter(
      (r) => r.provider === provider && r.kind === 'operation' && ok(r.status),
    ).length;
    wasted += Math.max(0, paid - record.counts.completed) * pricePerRequest[provider];
  }
  return {
    strategy: record.strategy,
    completed: record.counts.completed,
    failed: record.counts.failed,
    stillQueued: record.stillQueued,
    degraded: record.degraded,
    requestsWhileFailing: during.length,
    recoveryToFirstSuccessMs: firstOk ? firstOk.at - failing.toMs : null,
    contactP50Ms: percentile(durations, 50),
    contactP95Ms: percentile(durations, 95),
    retryAmplification: calls === 0 ? null : operations.length / calls,
    circuitOpenings: record.circuit.filter(
      (c) => c.state === 'OPEN' && c.at >= failing.fromMs && c.at < failing.toMs,
    ).length,
    alertsSent: record.alertsSent,
    moneyWastedUsd: Math.round(wasted * 100) / 100,
    outboxPeak: record.outboxPeak,
    runMs: record.endedAt,
    contactsCalledTwice: [...record.callsPerContact.values()].filter((n) => n > 1).length,
  };
}

export function seriesOf(record: CampaignRecord): Series {
  const { failing } = record.scenario;
  const requests = new Array<number>(Math.ceil(record.endedAt / SERIES_BUCKET_MS) + 1).fill(0);
  for (const r of record.requests) {
    if (r.provider !== failing.provider || r.kind !== 'operation') continue;
    const bucket = Math.floor(r.at / SERIES_BUCKET_MS);
    requests[bucket] = (requests[bucket] ?? 0) + 1;
  }
  return { bucketMs: SERIES_BUCKET_MS, requests, circuit: record.circuit };
}
