/**
 * The outage suite (issue 15): `npm run bench:outages [-- --contacts 10000 --scenario
 * hard-outage,brownout --strategy ours,cockatiel --out docs/outages]`. Runs each scenario
 * under each strategy in virtual time, prints a table per scenario, and writes the figures and
 * series as JSON and a chart per scenario as SVG.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { figuresOf, pricePerRequest, seriesOf, type Figures, type Series } from './figures.ts';
import { runCampaign } from './run-campaign.ts';
import { buildScenario, scenarioDefaults, scenarioIds } from './scenarios.ts';
import { strategies, strategyNamed } from './strategies.ts';
import { svgChart } from './svg-chart.ts';
import { markdownTable } from './table.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: String(scenarioDefaults.contacts) },
    scenario: { type: 'string', default: scenarioIds.join(',') },
    strategy: { type: 'string', default: strategies.map((s) => s.name).join(',') },
    out: { type: 'string', default: 'docs/outages' },
  },
});
const contacts = Number(values.contacts);
if (!Number.isInteger(contacts) || contacts < 1) {
  throw new Error(`--contacts must be a whole number ≥ 1, got ${values.contacts}`);
}
const chosen = values.strategy.split(',').map(strategyNamed);
mkdirSync(values.out, { recursive: true });

interface ScenarioResult {
  id: string;
  title: string;
  failing: { provider: string; fromMs: number; toMs: number };
  figures: Figures[];
  series: Record<string, Series>;
  /** Real time each campaign took to simulate (ms). */
  wallMs: Record<string, number>;
}

const results: ScenarioResult[] = [];
for (const id of values.scenario.split(',')) {
  const scenario = buildScenario(id, { contacts });
  const result: ScenarioResult = {
    id,
    title: scenario.title,
    failing: scenario.failing,
    figures: [],
    series: {},
    wallMs: {},
  };
  for (const strategy of chosen) {
    const started = performance.now();
    const record = await runCampaign(scenario, strategy);
    result.wallMs[strategy.name] = Math.round(performance.now() - started);
    result.figures.push(figuresOf(record));
    result.series[strategy.name] = seriesOf(record);
  }
  results.push(result);
  const wall = Object.entries(result.wallMs).map(
    ([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`,
  );
  console.log(
    `\n## ${id}: ${scenario.title} (${contacts} contacts, concurrency ${scenario.concurrency})\n`,
  );
  console.log(markdownTable(result.figures));
  console.log(`\nsimulated in ${wall.join(', ')}`);
  const untilMs = Math.min(
    Math.max(...result.figures.map((f) => f.runMs)),
    scenario.failing.toMs + 20 * 60_000,
  );
  writeFileSync(
    join(values.out, `${id}.svg`),
    svgChart(
      chosen.map((s, i) => ({
        strategy: s.name,
        series: result.series[s.name]!,
        endedAt: result.figures[i]!.runMs,
      })),
      {
        title: `${id}: requests to ${scenario.failing.service} and its circuit`,
        failure: scenario.failing,
        untilMs,
      },
    ),
  );
}
writeFileSync(
  join(values.out, 'outages.json'),
  JSON.stringify({ contacts, pricePerRequest, scenarios: results }, null, 1) + '\n',
);
console.log(`\nwrote ${join(values.out, 'outages.json')} and a chart per scenario`);
