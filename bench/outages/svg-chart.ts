import type { CircuitState } from '../../src/resilience/index.ts';
import type { Series } from './figures.ts';

/** One line of the chart: a strategy's requests over time and its circuit's state. */
export interface ChartLine {
  strategy: string;
  series: Series;
  /** When the strategy's campaign ended (ms after the start): the band is grey after it. */
  endedAt: number;
}

export interface ChartOptions {
  title: string;
  /** The failure, shaded (ms after the start). */
  failure: { fromMs: number; toMs: number };
  /** The time shown, from 0 (ms). */
  untilMs: number;
}

const WIDTH = 760;
const PLOT = { left: 64, right: 16, top: 48, height: 220 };
const BAND = 10;
const COLORS = ['#1b7837', '#b2182b', '#ef8a62', '#2166ac', '#7b3294'];
const STATE_COLOR: Record<CircuitState, string> = {
  CLOSED: '#d9f0d3',
  HALF_OPEN: '#fee08b',
  OPEN: '#d73027',
};

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A small hand-written SVG: requests to the failing provider per bucket (one line per
 * strategy, square-root scale so a few probes and thousands of retries both show), the failure
 * shaded, and under it one band per strategy with its circuit's state over time.
 */
export function svgChart(lines: readonly ChartLine[], options: ChartOptions): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const bandsTop = PLOT.top + PLOT.height + 44;
  const height = bandsTop + lines.length * (BAND + 6) + 24;
  const x = (ms: number): number =>
    PLOT.left + (Math.min(ms, options.untilMs) / options.untilMs) * plotWidth;
  const max = Math.max(1, ...lines.flatMap((l) => l.series.requests));
  const y = (count: number): number =>
    PLOT.top + PLOT.height - (Math.sqrt(count) / Math.sqrt(max)) * PLOT.height;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${PLOT.left}" y="18" font-size="13" font-weight="bold">${esc(options.title)}</text>`,
    `<rect x="${x(options.failure.fromMs).toFixed(1)}" y="${PLOT.top}" width="${(x(options.failure.toMs) - x(options.failure.fromMs)).toFixed(1)}" height="${PLOT.height}" fill="#f4f4f4"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top + PLOT.height}" x2="${WIDTH - PLOT.right}" y2="${PLOT.top + PLOT.height}" stroke="#444"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.top + PLOT.height}" stroke="#444"/>`,
  ];
  for (const tick of [0, 1, 10, 100, 1_000, 10_000].filter((t) => t <= max)) {
    out.push(
      `<text x="${PLOT.left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${tick}</text>`,
      `<line x1="${PLOT.left}" y1="${y(tick).toFixed(1)}" x2="${WIDTH - PLOT.right}" y2="${y(tick).toFixed(1)}" stroke="#eee"/>`,
    );
  }
  const minutes = options.untilMs / 60_000;
  const step = minutes > 60 ? 15 : minutes > 20 ? 5 : 1;
  for (let m = 0; m <= minutes; m += step) {
    out.push(
      `<text x="${x(m * 60_000).toFixed(1)}" y="${PLOT.top + PLOT.height + 14}" text-anchor="middle">${m} min</text>`,
    );
  }
  const bucket = lines[0]?.series.bucketMs ?? 1;
  out.push(
    `<text x="12" y="${PLOT.top + PLOT.height / 2}" transform="rotate(-90 12 ${PLOT.top + PLOT.height / 2})" text-anchor="middle">requests per ${bucket / 1000} s (√ scale)</text>`,
  );
  lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length]!;
    const points = line.series.requests
      .map((count, b) => `${x(b * bucket).toFixed(1)},${y(count).toFixed(1)}`)
      .filter((_, b) => b * bucket <= options.untilMs)
      .join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`);
    out.push(
      `<text x="${PLOT.left + i * 110}" y="36" fill="${color}" font-weight="bold">― ${esc(line.strategy)}</text>`,
    );
    const top = bandsTop + i * (BAND + 6);
    out.push(
      `<text x="${PLOT.left - 6}" y="${top + BAND - 1}" text-anchor="end">${esc(line.strategy)}</text>`,
    );
    out.push(
      `<rect x="${PLOT.left}" y="${top}" width="${plotWidth}" height="${BAND}" fill="${STATE_COLOR.CLOSED}"/>`,
    );
    if (line.endedAt < options.untilMs) {
      out.push(
        `<rect x="${x(line.endedAt).toFixed(1)}" y="${top}" width="${(x(options.untilMs) - x(line.endedAt)).toFixed(1)}" height="${BAND}" fill="#ddd"/>`,
      );
    }
    const changes = line.series.circuit.filter((change) => change.at < line.endedAt);
    changes.forEach((change, c) => {
      if (change.state === 'CLOSED') return;
      const end = changes[c + 1]?.at ?? Math.min(line.endedAt, options.untilMs);
      out.push(
        `<rect x="${x(change.at).toFixed(1)}" y="${top}" width="${Math.max(0.5, x(end) - x(change.at)).toFixed(1)}" height="${BAND}" fill="${STATE_COLOR[change.state]}"/>`,
      );
    });
  });
  out.push(
    `<text x="${PLOT.left}" y="${bandsTop - 8}">circuit: <tspan fill="${STATE_COLOR.OPEN}">■ open</tspan> <tspan fill="#c9a200">■ half-open</tspan> <tspan fill="#7fbf7b">■ closed</tspan> <tspan fill="#aaa">■ run over</tspan> (naive and retry-only have none); shaded: the failure</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
