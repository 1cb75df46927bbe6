import { authHeaders } from './api.js';

/**
 * Server-Sent Events over fetch (EventSource cannot send a token). Keeps the id of the last
 * event and, after a drop, reconnects with `Last-Event-ID`: the server sends what was missed
 * (or a `gap` event when it cannot).
 */
export function connectEvents(path, { onEvent, onStatus }) {
  let lastId;
  let retryMs = 2000;
  let stopped = false;

  const dispatch = (frame) => {
    let type = 'message';
    let id;
    const data = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id !== undefined) lastId = id;
    if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')), id);
  };

  const run = async () => {
    while (!stopped) {
      try {
        const headers = { ...authHeaders(), accept: 'text/event-stream' };
        if (lastId !== undefined) headers['last-event-id'] = lastId;
        const response = await fetch(path, { headers });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        onStatus('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // dropped or refused: try again after the server's retry time
      }
      if (stopped) return;
      onStatus('reconnecting…');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void run();
  return () => {
    stopped = true;
  };
}
