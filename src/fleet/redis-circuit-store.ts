import type { Redis } from 'ioredis';
import type {
  CircuitSnapshot,
  CircuitStateStore,
  Clock,
  TrialPermits,
} from '../resilience/index.ts';
import { saveCircuitScript } from './circuit-scripts.ts';
import type { FleetLink } from './fleet-link.ts';
import type { RedisTime } from './redis-time.ts';
import { FleetTrialPermit } from './trial-permit.ts';

export interface RedisCircuitStoreOptions {
  /** The fail-fast connection. */
  redis: Redis;
  /** A connection of its own for pub/sub, subscribed to `P:cb` by its owner. */
  subscriber: Redis;
  /** The keys' prefix, braces included. */
  prefix: string;
  clock: Clock;
  time: RedisTime;
  link: FleetLink;
  /** Who holds a trial permit (unique to this process). */
  owner: string;
  /** How long a trial permit lasts, by service: longer than a trial may take. */
  trialTtlMs: (service: string) => number;
}

type Listener = (snapshot: CircuitSnapshot) => void;

/** Snapshot fields that are times. */
const TIMES = ['openedAt', 'updatedAt', 'openUntil'] as const;

/**
 * The fleet's breaker state in Redis. Each local transition is saved by a compare-and-set on
 * the state's version (Lua): a transition decided on a state the fleet has left is refused,
 * and the breaker adopts the fleet's state instead. Saved transitions reach every worker by
 * pub/sub at once; since pub/sub delivers at most once, the state is read again after a
 * reconnect and on every heartbeat. A worker starting up adopts the fleet's state. While
 * Redis is unreachable the breaker goes on alone; its last state is offered to the fleet
 * when Redis is back, unless the fleet moved meanwhile.
 */
export class RedisCircuitStateStore implements CircuitStateStore {
  readonly #options: RedisCircuitStoreOptions;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** The newest version this process knows of each service (saved or adopted). */
  readonly #known = new Map<string, number>();
  /** Saves run one at a time per service, each on the version the one before left. */
  readonly #saving = new Map<string, Promise<void>>();
  /**
   * Saves asked for and not answered yet, by service. While there are some, the breaker has
   * decided on a state newer than any the fleet may send: their answers say what holds.
   */
  readonly #pending = new Map<string, number>();
  /** The last local state not saved (Redis was unreachable), by service. */
  readonly #unsaved = new Map<string, CircuitSnapshot>();
  readonly #permits = new Map<string, FleetTrialPermit>();

  constructor(options: RedisCircuitStoreOptions) {
    this.#options = options;
    options.subscriber.on('message', (channel: string, message: string) => {
      if (channel === `${options.prefix}:cb`) this.#onMessage(message);
    });
    options.subscriber.on('ready', () => void this.refresh());
    options.link.onChange((status) => {
      if (status.connected) void this.refresh();
    });
  }

  async load(service: string): Promise<CircuitSnapshot | undefined> {
    const stored = await this.#read(service);
    if (stored === undefined) return undefined;
    this.#learn(service, stored.version ?? 0);
    return stored;
  }

  save(snapshot: CircuitSnapshot): Promise<void> {
    const { service } = snapshot;
    const previous = this.#saving.get(service) ?? Promise.resolve();
    this.#pending.set(service, (this.#pending.get(service) ?? 0) + 1);
    const next = previous
      .then(() => this.#save(snapshot))
      .finally(() => this.#pending.set(service, (this.#pending.get(service) ?? 1) - 1));
    const settled = next.catch(() => undefined);
    this.#saving.set(service, settled);
    void settled.then(() => {
      if (this.#saving.get(service) === settled) this.#saving.delete(service);
    });
    return next;
  }

  subscribe(service: string, listener: Listener): () => void {
    const listeners = this.#listeners.get(service) ?? new Set();
    this.#listeners.set(service, listeners);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  trialPermits(service: string): TrialPermits {
    let permit = this.#permits.get(service);
    if (!permit) {
      const { redis, prefix, clock, link, owner, trialTtlMs } = this.#options;
      permit = new FleetTrialPermit({
        redis,
        prefix,
        clock,
        link,
        owner,
        service,
        ttlMs: trialTtlMs(service),
      });
      this.#permits.set(service, permit);
    }
    return permit;
  }

  /**
   * Reads the fleet's state of every service listened to: adopts what changed, and offers
   * the fleet a state decided while Redis was unreachable if the fleet did not move meanwhile.
   */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.#listeners.keys()].map(async (service) => {
        const stored = await this.#read(service).catch(() => undefined);
        if (this.#deciding(service)) return; // the saves' answers will say what holds
        const version = stored?.version ?? 0;
        const unsaved = this.#unsaved.get(service);
        if (stored !== undefined && version > (this.#known.get(service) ?? 0)) {
          this.#unsaved.delete(service);
          this.#learn(service, version);
          this.#deliver(stored);
        } else if (unsaved !== undefined && this.#options.link.connected) {
          await this.save(unsaved).catch(() => undefined);
        }
      }),
    );
  }

  async #save(snapshot: CircuitSnapshot): Promise<void> {
    const { redis, prefix, link } = this.#options;
    const { service } = snapshot;
    if (!link.connected) {
      this.#unsaved.set(service, snapshot);
      return;
    }
    const base = this.#known.get(service) ?? 0;
    let reply: [number, number, string | null];
    try {
      const json = JSON.stringify(this.#shift(snapshot, (t) => this.#options.time.toRedis(t)));
      reply = (await saveCircuitScript.run(redis, [prefix, service, base, json])) as typeof reply;
    } catch (error) {
      this.#unsaved.set(service, snapshot);
      link.reportFailure(error);
      throw error;
    }
    this.#unsaved.delete(service);
    const [saved, version, fleetState] = reply;
    this.#learn(service, version);
    // refused: the fleet moved on before this transition; this worker takes the fleet's state,
    // unless it has decided again since (that save goes on the fleet's version, or is refused
    // in turn and hands it over then)
    const newerQueued = (this.#pending.get(service) ?? 0) > 1;
    if (saved === 0 && fleetState && !newerQueued) {
      this.#deliver(this.#parse(fleetState, version));
    }
  }

  /** Whether a save of the service is waiting for its answer. */
  #deciding(service: string): boolean {
    return (this.#pending.get(service) ?? 0) > 0;
  }

  async #read(service: string): Promise<CircuitSnapshot | undefined> {
    const { redis, prefix } = this.#options;
    const [version, json] = await redis.hmget(`${prefix}:cb:${service}`, 'v', 's');
    return version && json ? this.#parse(json, Number(version)) : undefined;
  }

  #onMessage(message: string): void {
    const { service, version, snapshot } = JSON.parse(message) as {
      service: string;
      version: number;
      snapshot: string;
    };
    if (!this.#listeners.has(service) || version <= (this.#known.get(service) ?? 0)) return;
    // a save of ours is on its way: its answer carries the fleet's state if it is refused
    if (this.#deciding(service)) return;
    this.#learn(service, version);
    this.#unsaved.delete(service);
    this.#deliver(this.#parse(snapshot, version));
  }

  #learn(service: string, version: number): void {
    if (version > (this.#known.get(service) ?? 0)) this.#known.set(service, version);
    // the circuit moved: whoever held the trial permit, that is old news
    this.#permits.get(service)?.forget();
  }

  #deliver(snapshot: CircuitSnapshot): void {
    for (const listener of this.#listeners.get(snapshot.service) ?? []) listener(snapshot);
  }

  #parse(json: string, version: number): CircuitSnapshot {
    const snapshot = JSON.parse(json) as CircuitSnapshot;
    return { ...this.#shift(snapshot, (t) => this.#options.time.toLocal(t)), version };
  }

  /** The snapshot with its times moved by `move` (to or from Redis's clock). */
  #shift(snapshot: CircuitSnapshot, move: (time: number) => number): CircuitSnapshot {
    const shifted: CircuitSnapshot = { ...snapshot, version: undefined };
    for (const field of TIMES) {
      const value = snapshot[field];
      if (value !== undefined) shifted[field] = Math.round(move(value));
    }
    return shifted;
  }
}
