import type { Figures } from './figures.ts';

/** A duration for people: `850 ms`, `12.5 s`, `7.2 min`, `1.4 h`; `—` when there is none. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const COLUMNS: Array<[string, (f: Figures, ours: Figures) => string]> = [
  ['strategy', (f) => f.strategy],
  ['completed', (f) => String(f.completed)],
  ['failed', (f) => String(f.failed)],
  ['queued', (f) => String(f.stillQueued)],
  ['degraded', (f) => String(f.degraded)],
  ['requests while failing', (f) => String(f.requestsWhileFailing)],
  [
    '× ours',
    (f, ours) =>
      ours.requestsWhileFailing === 0
        ? f.requestsWhileFailing === 0
          ? '1'
          : '∞'
        : (f.requestsWhileFailing / ours.requestsWhileFailing).toFixed(1),
  ],
  ['recovery → 1st success', (f) => duration(f.recoveryToFirstSuccessMs)],
  ['contact p50', (f) => duration(f.contactP50Ms)],
  ['contact p95', (f) => duration(f.contactP95Ms)],
  [
    'attempts ÷ calls',
    (f) => (f.retryAmplification === null ? '—' : f.retryAmplification.toFixed(2)),
  ],
  ['circuit opened', (f) => String(f.circuitOpenings)],
  ['alerts', (f) => String(f.alertsSent)],
  ['outbox peak', (f) => String(f.outboxPeak)],
  ['wasted $', (f) => f.moneyWastedUsd.toFixed(2)],
  ['run', (f) => duration(f.runMs)],
];

/** The figures of one scenario as a Markdown table, ours first (the ratios are to ours). */
export function markdownTable(rows: readonly Figures[]): string {
  const ours = rows.find((r) => r.strategy === 'ours') ?? rows[0];
  if (!ours) return '';
  const header = `| ${COLUMNS.map(([name]) => name).join(' | ')} |`;
  const rule = `|${COLUMNS.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  const lines = rows.map((row) => `| ${COLUMNS.map(([, cell]) => cell(row, ours)).join(' | ')} |`);
  return [header, rule, ...lines].join('\n');
}
