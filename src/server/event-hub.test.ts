import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import { EventHub, type EventStream } from './event-hub.ts';

/** A client that reads everything, or none of it (`stalled`). */
class Client implements EventStream {
  text = '';
  ended = false;
  destroyed = false;
  stalled = false;
  #onClose: Array<() => void> = [];
  get writableLength(): number {
    return this.stalled ? this.text.length : 0;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  end(): void {
    this.ended = true;
    this.#onClose.forEach((close) => close());
  }
  destroy(): void {
    this.destroyed = true;
    this.#onClose.forEach((close) => close());
  }
  on(_event: 'close', listener: () => void): void {
    this.#onClose.push(listener);
  }
  /** The events received: `[type, data, id]`. */
  events(): Array<[string, unknown, string | undefined]> {
    return this.text
      .split('\n\n')
      .filter((frame) => /^data: /m.test(frame))
      .map((frame) => {
        const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(frame)?.[1];
        return [field('event') ?? 'message', JSON.parse(field('data')!), field('id')];
      });
  }
}

const hubWith = (
  options: { backlog?: number; maxPendingBytes?: number; onDropped?: () => void } = {},
) => new EventHub({ clock: new VirtualClock(), ...options });

describe('EventHub', () => {
  it('sends each event to every client, with an id of this run', () => {
    const hub = hubWith();
    const a = new Client();
    const b = new Client();
    hub.attach(a);
    hub.attach(b);
    hub.publish('log', { n: 1 });
    expect(a.events()).toEqual([['log', { n: 1 }, `${hub.run}-1`]]);
    expect(b.events()).toEqual(a.events());
    expect(hub.lastId).toBe(`${hub.run}-1`);
  });

  it('a client that reconnects with Last-Event-ID gets what it missed, nothing twice', () => {
    const hub = hubWith();
    const first = new Client();
    hub.attach(first);
    hub.publish('log', { n: 1 });
    hub.publish('log', { n: 2 });
    first.destroy();
    hub.publish('log', { n: 3 });
    hub.publish('log', { n: 4 });
    const lastSeen = first.events().at(-1)![2];
    const again = new Client();
    hub.attach(again, lastSeen);
    hub.publish('log', { n: 5 });
    expect(again.events().map(([, data]) => data)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('says so when what was missed is older than the backlog, then sends the backlog', () => {
    const hub = hubWith({ backlog: 2 });
    for (let n = 1; n <= 5; n++) hub.publish('log', { n });
    const late = new Client();
    hub.attach(late, `${hub.run}-1`);
    const [gap, ...rest] = late.events();
    expect(gap).toEqual([
      'gap',
      {
        last_event_id: `${hub.run}-1`,
        oldest_kept: `${hub.run}-4`,
        message: `events after ${hub.run}-1 are older than the backlog (the last 2 are kept)`,
      },
      undefined,
    ]);
    expect(rest.map(([, data]) => data)).toEqual([{ n: 4 }, { n: 5 }]);
    // one event short of the backlog is no gap
    const onTime = new Client();
    hub.attach(onTime, `${hub.run}-3`);
    expect(onTime.events().map(([type]) => type)).toEqual(['log', 'log']);
  });

  it('says so when the id is from an earlier run of the server', () => {
    const hub = hubWith();
    hub.publish('log', { n: 1 });
    const client = new Client();
    hub.attach(client, 'deadbeef-41');
    const [type, data] = client.events()[0]!;
    expect(type).toBe('gap');
    expect(data).toMatchObject({ message: expect.stringContaining('restarted') });
    expect(client.events()[1]).toEqual(['log', { n: 1 }, `${hub.run}-1`]);
  });

  it('drops a client that stops reading; the others and the publisher go on', () => {
    let told = 0;
    const hub = hubWith({ maxPendingBytes: 200, onDropped: () => told++ });
    const slow = new Client();
    const fast = new Client();
    hub.attach(slow);
    hub.attach(fast);
    slow.stalled = true;
    for (let n = 0; n < 20; n++) hub.publish('log', { n, text: 'x'.repeat(20) });
    expect(slow.destroyed).toBe(true);
    expect(hub.dropped).toBe(1);
    expect(told).toBe(1);
    expect(hub.clients).toBe(1);
    expect(fast.events()).toHaveLength(20);
  });

  it('close ends every stream (cuts one that is behind) and turns later clients away', () => {
    const hub = hubWith();
    const client = new Client();
    const behind = new Client();
    hub.attach(client);
    hub.attach(behind);
    behind.stalled = true;
    hub.publish('log', { n: 1 });
    hub.close();
    expect(client.ended).toBe(true);
    expect(client.destroyed).toBe(false);
    expect(behind.destroyed).toBe(true);
    const late = new Client();
    hub.attach(late);
    expect(late.ended).toBe(true);
  });
});
