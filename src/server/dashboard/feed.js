import { el } from './dom.js';

const KEEP = 200;

/** The live event feed: one line per event, newest on top, the last 200. */
export function eventFeed(list) {
  return (type, data, id) => {
    const line =
      type === 'gap'
        ? el('li', { class: 'gap', text: `Some events were missed: ${data.message}` })
        : el('li', { class: `level-${data.level}`, dataset: { event: data.event, id } }, [
            el('time', { text: data.timestamp.slice(11, 19) }),
            el('span', { class: 'service', text: data.service }),
            el('span', { class: 'message', text: data.message }),
          ]);
    list.prepend(line);
    while (list.children.length > KEEP) list.lastElementChild.remove();
  };
}
