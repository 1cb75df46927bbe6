import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../resilience/index.ts';

/** Where one client's events go: an HTTP response, as Node's `ServerResponse` is. */
export interface EventStream {
  write(chunk: string): unknown;
  end(): unknown;
  destroy(): unknown;
  /** Bytes written but not yet taken by the client. */
  readonly writableLength: number;
  on(event: 'close', listener: () => void): unknown;
}

export interface EventHubOptions {
  clock: Clock;
  /** Events kept for clients that reconnect (`Last-Event-ID`). */
  backlog?: number;
  /** A client that has not taken this many bytes is dropped: it never slows the agent. */
  maxPendingBytes?: number;
  /** A comment line this often keeps idle connections (and proxies) open. */
  heartbeatMs?: number;
  /** Told when a client is dropped for falling behind. */
  onDropped?: () => void;
}

export const eventHubDefaults = {
  backlog: 1_000,
  maxPendingBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  onDropped: (): void => undefined,
};

interface Stored {
  seq: number;
  frame: string;
}

/**
 * Server-Sent Events for every client of `GET /events`. Each event has an id (`<run>-<n>`:
 * the run changes with each start of the server); the last `backlog` events are kept, so a
 * client that reconnects with `Last-Event-ID` gets what it missed — or, when that is older
 * than the backlog or from another run, a `gap` event saying so before the backlog. Writing
 * never waits: a client that falls `maxPendingBytes` behind is dropped.
 */
export class EventHub {
  readonly run = randomBytes(4).toString('hex');
  readonly #options: typeof eventHubDefaults & { clock: Clock };
  readonly #backlog: Stored[] = [];
  readonly #clients = new Set<EventStream>();
  #seq = 0;
  #dropped = 0;
  #heartbeat: TimerHandle | undefined;
  #closed = false;

  constructor(options: EventHubOptions) {
    this.#options = { ...eventHubDefaults, ...options };
  }

  /** Clients connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Clients dropped for falling behind, so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The id of the last event published (undefined before the first). */
  get lastId(): string | undefined {
    return this.#seq === 0 ? undefined : this.#id(this.#seq);
  }

  /** Sends `data` (as JSON) to every client as an event of type `type`, and keeps it. */
  publish(type: string, data: unknown): void {
    if (this.#closed) return;
    const seq = ++this.#seq;
    const frame = `id: ${this.#id(seq)}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    this.#backlog.push({ seq, frame });
    if (this.#backlog.length > this.#options.backlog) this.#backlog.shift();
    for (const client of this.#clients) this.#send(client, frame);
  }

  /**
   * Streams events to `stream` from now on, after those it missed since `lastEventId` (the
   * `Last-Event-ID` header of a reconnecting client).
   */
  attach(stream: EventStream, lastEventId?: string): void {
    if (this.#closed) {
      stream.end();
      return;
    }
    this.#clients.add(stream);
    stream.on('close', () => this.#clients.delete(stream));
    this.#send(stream, 'retry: 2000\n\n');
    for (const frame of this.#missed(lastEventId)) this.#send(stream, frame);
    this.#startHeartbeat();
  }

  /**
   * Ends every stream (one that has not taken what it was sent is cut: it must not hold the
   * server open); later clients are turned away.
   */
  close(): void {
    this.#closed = true;
    this.#heartbeat?.clear();
    for (const client of this.#clients) {
      if (client.writableLength > 0) client.destroy();
      else client.end();
    }
    this.#clients.clear();
  }

  #id(seq: number): string {
    return `${this.run}-${seq}`;
  }

  /** What a client that saw `lastEventId` missed, with a `gap` event first if some is lost. */
  #missed(lastEventId: string | undefined): string[] {
    if (lastEventId === undefined || lastEventId.trim() === '') return [];
    const oldest = this.#backlog[0]?.seq ?? this.#seq + 1;
    const match = /^([0-9a-f]+)-(\d+)$/.exec(lastEventId.trim());
    const sameRun = match?.[1] === this.run;
    const seen = sameRun ? Number(match?.[2]) : undefined;
    if (seen !== undefined && seen <= this.#seq && seen >= oldest - 1) {
      return this.#backlog.filter((event) => event.seq > seen).map((event) => event.frame);
    }
    const reason = sameRun
      ? `events after ${lastEventId} are older than the backlog (the last ${this.#options.backlog} are kept)`
      : `the server restarted since ${lastEventId}: its earlier events are not kept`;
    const gap = `event: gap\ndata: ${JSON.stringify({ last_event_id: lastEventId, oldest_kept: this.#backlog[0] ? this.#id(oldest) : null, message: reason })}\n\n`;
    return [gap, ...this.#backlog.map((event) => event.frame)];
  }

  #send(client: EventStream, frame: string): void {
    if (client.writableLength > this.#options.maxPendingBytes) {
      this.#clients.delete(client);
      this.#dropped++;
      client.destroy();
      this.#options.onDropped();
      return;
    }
    client.write(frame);
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    const beat = (): void => {
      for (const client of this.#clients) this.#send(client, ': keep-alive\n\n');
      this.#heartbeat = this.#options.clock.setTimer(beat, this.#options.heartbeatMs);
    };
    this.#heartbeat = this.#options.clock.setTimer(beat, this.#options.heartbeatMs);
  }
}
