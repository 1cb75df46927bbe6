import uPlot from '/vendor/uplot.esm.js';
import { el } from './dom.js';

const COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#475569'];
const STATE_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };
const STATE_NAME = ['CLOSED', 'HALF', 'OPEN'];

function chart(container, title, names, yAxis) {
  const width = Math.max(320, Math.min(640, container.clientWidth / 2 - 24));
  return new uPlot(
    {
      title,
      width,
      height: 200,
      scales: { x: { time: true }, y: yAxis.scale },
      axes: [
        {},
        { values: yAxis.values, size: 64, ...(yAxis.splits && { splits: () => yAxis.splits }) },
      ],
      series: [
        {},
        ...names.map((name, i) => ({
          label: name,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          ...(yAxis.stepped && { paths: uPlot.paths.stepped({ align: 1 }) }),
        })),
      ],
    },
    [[], ...names.map(() => [])],
    container.appendChild(el('div', { class: 'chart' })),
  );
}

/** Two charts of the last minutes: each service's circuit state, and its error rate. */
export function timelineCharts(container) {
  let charts;
  let names = [];
  return (answer) => {
    const services = Object.keys(answer.services);
    if (!charts || services.join() !== names.join()) {
      names = services;
      container.replaceChildren();
      charts = {
        state: chart(container, 'Circuit state', names, {
          scale: { range: [-0.2, 2.2] },
          splits: [0, 1, 2],
          values: (_u, ticks) => ticks.map((t) => STATE_NAME[t] ?? ''),
          stepped: true,
        }),
        errors: chart(container, 'Error rate (%)', names, {
          scale: { range: [0, 100] },
          values: (_u, ticks) => ticks.map((t) => `${t}%`),
        }),
      };
    }
    const samples = names.map((name) => answer.services[name]);
    const times = (samples[0] ?? []).map((s) => Date.parse(s.at) / 1000);
    charts.state.setData([times, ...samples.map((list) => list.map((s) => STATE_VALUE[s.state]))]);
    charts.errors.setData([
      times,
      ...samples.map((list) =>
        list.map((s) => (s.calls === 0 ? null : Math.round((100 * s.failures) / s.calls))),
      ),
    ]);
  };
}
