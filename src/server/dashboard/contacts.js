import { api } from './api.js';
import { el, fill } from './dom.js';

/** The newest contacts: name, masked phone, state, attempts, last error; failed ones can be requeued. */
export function contactsTable(body, { onChanged }) {
  const requeue = (ref) => async () => {
    await api(`/calls/${encodeURIComponent(ref)}/requeue`, { method: 'POST' });
    onChanged();
  };
  return (answer) => {
    fill(
      body,
      answer.contacts.map((contact) =>
        el('tr', { dataset: { ref: contact.ref, state: contact.state } }, [
          el('td', { text: contact.id }),
          el('td', { class: 'name', text: contact.name }),
          el('td', { text: contact.phone }),
          el('td', { class: `state ${contact.state}`, text: contact.state }),
          el('td', { text: String(contact.attempts) }),
          el('td', { class: 'error', text: contact.last_error ?? '' }),
          el('td', {}, [
            contact.state === 'failed'
              ? el('button', { type: 'button', text: 'Requeue', onclick: requeue(contact.ref) })
              : null,
          ]),
        ]),
      ),
    );
  };
}
