import type { Campaign } from '../agent/campaign.ts';
import { circuitText } from '../observability/pretty-format.ts';
import type { CallQueue, StateCounts } from '../queue/call-queue.ts';
import type { Output } from '../redaction/output.ts';
import type { Coloured } from '../redaction/printable.ts';
import type { CircuitState, Disposer } from '../resilience/index.ts';
import { ProgressCounter, type ProgressCounts } from './progress-counter.ts';
import { span } from './text.ts';

/** A circuit that is not closed, for the progress line. */
export interface CircuitShown {
  service: string;
  state: CircuitState;
}

const number = (n: number): string => n.toLocaleString('en-US');

/**
 * The progress line: `12/40 done, 3 deferred, 1 failed, 18 calls/min, about 2 min left;
 * ElevenLabs OPEN`. The time left is the contacts left at the current rate; there is none
 * in the first seconds, nor while nothing finishes.
 */
export function formatProgress(
  counts: ProgressCounts,
  circuits: readonly CircuitShown[],
): Array<string | Coloured> {
  const { total, done, failed, deferred, perMinute } = counts;
  const parts = [`${number(done)}/${number(total)} done`, `${number(deferred)} deferred`];
  parts.push(`${number(failed)} failed`);
  if (perMinute !== undefined) {
    parts.push(`${number(Math.round(perMinute))} calls/min`);
    const left = total - done;
    if (left > 0) {
      parts.push(
        perMinute > 0 ? `about ${span((left / perMinute) * 60_000)} left` : 'time left unknown',
      );
    }
  }
  const line: Array<string | Coloured> = [parts.join(', ')];
  circuits.forEach(({ service, state }, i) =>
    line.push(i === 0 ? '; ' : ', ', `${service} `, circuitText(state)),
  );
  return line;
}

export interface ProgressLineOptions {
  /** What the line reads: the campaign's clock, contact events and policies. */
  campaign: Pick<Campaign, 'clock' | 'events' | 'policies'>;
  queue: CallQueue;
  output: Output;
  /** The queue's counts as the run starts (asked for when not given). */
  start?: StateCounts | undefined;
  /** The line is redrawn at most this often (clock time). */
  intervalMs?: number;
}

export const progressLineDefaults = { intervalMs: 250 };

/**
 * Keeps the progress line of a run at the bottom of a terminal's stderr, redrawn at most every
 * `intervalMs` on the campaign's clock; the disposer takes it away (before the summary). Does
 * nothing when stderr is not a terminal.
 */
export async function startProgressLine(options: ProgressLineOptions): Promise<Disposer> {
  const { campaign, queue, output } = options;
  if (!output.stderrIsTerminal) return () => undefined;
  const { intervalMs } = { ...progressLineDefaults, ...options };
  const clock = campaign.clock;
  const start = options.start ?? (await queue.counts());
  const deferredIds =
    start.deferred === 0 ? [] : (await queue.list('deferred')).map((contact) => contact.id);
  const counter = new ProgressCounter({ start, deferredIds, now: clock.now() });
  const unsubscribe = campaign.events.subscribe((event) => counter.note(event));
  const circuits = (): CircuitShown[] =>
    [...campaign.policies.values()]
      .filter((policy) => policy.state !== 'CLOSED')
      .map((policy) => ({ service: policy.service, state: policy.state }));
  let stopped = false;
  let timer = clock.setTimer(function draw() {
    output.status(formatProgress(counter.counts(clock.now()), circuits()));
    timer = clock.setTimer(draw, intervalMs);
  }, 0);
  return () => {
    if (stopped) return;
    stopped = true;
    timer.clear();
    unsubscribe();
    output.status(undefined);
  };
}
