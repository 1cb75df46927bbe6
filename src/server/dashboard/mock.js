import { api } from './api.js';
import { el, fill } from './dom.js';

const PROVIDERS = [
  ['openai', 'OpenAI'],
  ['elevenlabs', 'ElevenLabs (TTS)'],
  ['twilio', 'Twilio'],
  ['hubspot', 'HubSpot'],
];

/** Break (every request answers 503) and heal each mock provider. */
export function mockControls(container, { onChanged }) {
  const set = (id, faults) => async () => {
    await api('/mock/faults', { method: 'POST', body: { [id]: faults } });
    onChanged();
  };
  return (answer) => {
    fill(
      container,
      PROVIDERS.map(([id, label]) => {
        const broken = (answer.faults[id]?.outages ?? []).length > 0;
        return el(
          'div',
          { class: `provider ${broken ? 'broken' : 'ok'}`, dataset: { provider: id } },
          [
            el('span', { class: 'label', text: label }),
            el('span', { class: 'status', text: broken ? 'broken (503)' : 'answering' }),
            el('button', {
              type: 'button',
              text: 'Break',
              dataset: { action: 'break' },
              disabled: broken ? 'disabled' : undefined,
              onclick: set(id, { outages: [{ afterMs: 0 }] }),
            }),
            el('button', {
              type: 'button',
              text: 'Heal',
              dataset: { action: 'heal' },
              disabled: broken ? undefined : 'disabled',
              onclick: set(id, null),
            }),
          ],
        );
      }),
    );
  };
}
