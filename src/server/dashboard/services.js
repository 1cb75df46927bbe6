import { api } from './api.js';
import { el, relative } from './dom.js';

/** A card per service: circuit state in colour, health, counters, last error, open / reset. */
export function serviceCards(container, { onChanged }) {
  const cards = new Map();

  const act = (name, action) => async () => {
    await api(`/services/${encodeURIComponent(name)}/${action}`, { method: 'POST' });
    onChanged();
  };

  const cardFor = (name) => {
    let card = cards.get(name);
    if (card) return card;
    const parts = {
      state: el('span', { class: 'state' }),
      why: el('p', { class: 'why' }),
      health: el('dd'),
      probe: el('dd'),
      calls: el('dd'),
      failures: el('dd'),
      retries: el('dd'),
      budget: el('dd'),
      error: el('p', { class: 'error' }),
    };
    const row = (label, value) => [el('dt', { text: label }), value];
    const root = el('article', { class: 'card', dataset: { service: name } }, [
      el('h3', {}, [el('span', { text: name }), parts.state]),
      parts.why,
      el('dl', {}, [
        ...row('health', parts.health),
        ...row('next probe', parts.probe),
        ...row('calls', parts.calls),
        ...row('failures', parts.failures),
        ...row('retries', parts.retries),
        ...row('retry budget', parts.budget),
      ]),
      parts.error,
      el('div', { class: 'actions' }, [
        el('button', {
          type: 'button',
          text: 'Open',
          dataset: { action: 'open' },
          onclick: act(name, 'open'),
        }),
        el('button', {
          type: 'button',
          text: 'Reset',
          dataset: { action: 'reset' },
          onclick: act(name, 'reset'),
        }),
      ]),
    ]);
    card = { root, parts };
    cards.set(name, card);
    container.append(root);
    return card;
  };

  /** Shows `GET /services`. */
  return (answer) => {
    const now = Date.parse(answer.now);
    for (const service of answer.services) {
      const { root, parts } = cardFor(service.name);
      const { circuit, health, counters } = service;
      root.dataset.state = circuit.state;
      parts.state.textContent = circuit.held ? `${circuit.state} (held)` : circuit.state;
      parts.why.textContent =
        circuit.since === null
          ? 'closed since the start'
          : `since ${relative(circuit.since, now)} · ${circuit.reason ?? ''}` +
            (circuit.next_attempt_at
              ? ` · next try ${relative(circuit.next_attempt_at, now)}`
              : '');
      parts.health.textContent = !health.probed_here
        ? 'probed by another member of the fleet'
        : health.healthy === null
          ? 'not probed yet'
          : `${health.healthy ? 'answers' : 'does not answer'} (${health.latency_ms} ms, ${relative(health.last_probe_at, now)})`;
      parts.probe.textContent =
        health.next_probe_at === null ? '—' : relative(health.next_probe_at, now);
      parts.calls.textContent = `${counters.calls} (${counters.rejected} refused)`;
      parts.failures.textContent = String(counters.failures);
      parts.retries.textContent = String(counters.retries);
      parts.budget.textContent = service.retry_budget ? String(service.retry_budget.tokens) : '—';
      const error = circuit.error ?? service.last_error;
      parts.error.textContent = error ? `${error.type}: ${error.message}` : '';
    }
  };
}
