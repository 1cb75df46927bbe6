import { el, fill } from './dom.js';

const STATES = [
  ['pending', 'pending'],
  ['in_progress', 'in progress'],
  ['deferred', 'deferred'],
  ['completed', 'completed'],
  ['failed', 'failed'],
];

/** The queue's progress: a bar by state, the counts, and the CRM outbox. */
export function queueProgress(bar, list) {
  return (campaign) => {
    const counts = campaign.contacts;
    const total = STATES.reduce((sum, [state]) => sum + counts[state], 0);
    fill(
      bar,
      STATES.map(([state]) =>
        counts[state] === 0
          ? null
          : el('span', {
              class: `segment ${state}`,
              dataset: { share: String(counts[state] / Math.max(1, total)) },
              title: `${counts[state]} ${state}`,
            }),
      ),
    );
    for (const segment of bar.children) segment.style.flexGrow = segment.dataset.share;
    fill(list, [
      ...STATES.flatMap(([state, label]) => [
        el('dt', { text: label }),
        el('dd', { text: counts[state].toLocaleString('en-US'), dataset: { count: state } }),
      ]),
      el('dt', { text: 'CRM outbox' }),
      el('dd', {
        text: campaign.crm_outbox.toLocaleString('en-US'),
        dataset: { count: 'crm_outbox' },
      }),
    ]);
  };
}
