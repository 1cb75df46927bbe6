import type { GiveUp } from '../agent/give-up.ts';
import type { ServiceStats } from '../agent/run-stats.ts';
import type { StateCounts } from '../queue/call-queue.ts';
import { circuitText } from '../observability/pretty-format.ts';
import type { Coloured } from '../redaction/printable.ts';
import type { CircuitState } from '../resilience/index.ts';
import { formatImport, type ImportReport } from './import-report.ts';
import { colouredTable } from './text.ts';

export interface ServiceSummary {
  calls: number;
  succeeded: number;
  failures: number;
  rejected: number;
  retries: number;
  circuit_openings: number;
  circuit_state: CircuitState;
}

/** The end-of-run summary, as `--summary-json` writes it. */
export interface RunSummary {
  contacts: { total: number; completed: number; failed: number; deferred: number; pending: number };
  services: Record<string, ServiceSummary>;
  crm_outbox: number;
  /** Why the run stopped. */
  ended: 'drained' | 'max_duration' | 'interrupted' | 'gave_up';
  /** With `gave_up`: the services a person must fix, since when, and why. */
  gave_up?: Array<{ service: string; since: string; error_type: string; reason: string }>;
  /** `run`: what its CSV added to the queue (the totals above are the whole queue's). */
  imported?: ImportReport;
}

export interface SummaryInput {
  counts: StateCounts;
  services: Record<string, ServiceStats>;
  circuitStates: Record<string, CircuitState>;
  outbox: number;
  ended: RunSummary['ended'];
  gaveUp?: GiveUp | undefined;
}

export function buildSummary(input: SummaryInput): RunSummary {
  const { counts, services, circuitStates, outbox, ended, gaveUp } = input;
  const pending = counts.pending + counts.in_progress;
  return {
    contacts: {
      total:
        counts.pending + counts.in_progress + counts.completed + counts.failed + counts.deferred,
      completed: counts.completed,
      failed: counts.failed,
      deferred: counts.deferred,
      pending,
    },
    services: Object.fromEntries(
      Object.entries(services).map(([name, s]): [string, ServiceSummary] => [
        name,
        {
          calls: s.calls,
          succeeded: s.succeeded,
          failures: s.failures,
          rejected: s.rejected,
          retries: s.retries,
          circuit_openings: s.circuitOpenings,
          circuit_state: circuitStates[name] ?? 'CLOSED',
        },
      ]),
    ),
    crm_outbox: outbox,
    ended,
    ...(gaveUp && {
      gave_up: gaveUp.services.map((blocked) => ({
        service: blocked.service,
        since: new Date(blocked.since).toISOString(),
        error_type: blocked.error.errorClass,
        reason: blocked.error.message,
      })),
    }),
  };
}

/** 0 when every contact finished and the outbox is empty, 3 when work remains queued. */
export function exitCodeFor(summary: RunSummary): number {
  const { deferred, pending } = summary.contacts;
  return deferred + pending + summary.crm_outbox === 0 ? 0 : 3;
}

/** A human-readable summary: contacts by state, then one line per service (its circuit coloured). */
export function formatSummary(summary: RunSummary): Array<string | Coloured> {
  const c = summary.contacts;
  const numbers = [1, 2, 3, 4, 5, 6, 7];
  const contacts = colouredTable(
    [
      ['contacts', 'total', 'completed', 'failed', 'deferred', 'pending'],
      [
        '',
        String(c.total),
        String(c.completed),
        String(c.failed),
        String(c.deferred),
        String(c.pending),
      ],
    ],
    numbers,
  );
  const services = colouredTable(
    [
      ['service', 'calls', 'ok', 'failed', 'rejected', 'retries', 'openings', 'circuit'],
      ...Object.entries(summary.services).map(([name, s]) => [
        name,
        String(s.calls),
        String(s.succeeded),
        String(s.failures),
        String(s.rejected),
        String(s.retries),
        String(s.circuit_openings),
        circuitText(s.circuit_state),
      ]),
    ],
    numbers,
  );
  const gaveUp = (summary.gave_up ?? []).map(
    (blocked) =>
      `\nGave up: ${blocked.service} has refused every call since ${blocked.since} (${blocked.error_type}: ${blocked.reason}). ` +
      'A person must fix it; the contacts stay queued. Run again once it is fixed.',
  );
  const imported = summary.imported ? `${formatImport(summary.imported, c.total)}\n` : '';
  return [
    imported,
    ...contacts,
    '\n\n',
    ...services,
    `\n\nCRM outbox left: ${summary.crm_outbox}   ended: ${summary.ended}${gaveUp.join('')}`,
  ];
}
