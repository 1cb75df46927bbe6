import type { ErrorInfo } from '../errors.ts';
import type { Disposer } from '../events.ts';
import type { CircuitState, StateChangeReason } from '../policy-events.ts';

/** A breaker's state in a form that can be stored and shared. */
export interface CircuitSnapshot {
  service: string;
  state: CircuitState;
  /** When the circuit last opened (ms since the epoch), if it is not closed. */
  openedAt: number | undefined;
  consecutiveFailures: number;
  /** When this state was entered; the newer snapshot wins. */
  updatedAt: number;
  /** Why it is in this state. */
  reason?: StateChangeReason | undefined;
  /** Opened by hand: it stays open until a manual reset. */
  held?: boolean | undefined;
  /** No call and no health probe before this time (the service named it). */
  openUntil?: number | undefined;
  /** The error that opened it, if one did: decides which health probe may close it. */
  error?: ErrorInfo | undefined;
  /**
   * Set by the store on each save, increasing: orders two changes made in the same
   * millisecond, which `updatedAt` cannot.
   */
  version?: number | undefined;
}

/**
 * The half-open trials of one service shared by many processes: only the process holding the
 * permit runs trials, so a fleet sends one probe, not one per process. Never waits: a
 * process without the permit asks for it in the background and is refused meanwhile.
 */
export interface TrialPermits {
  /** Whether this process may run trials now (it holds the permit); asks for it if not. */
  held(): boolean;
  /** A trial starts: whether this process holds the permit (it then keeps it until `release`). */
  take(): boolean;
  /** This process runs no trial any more: the permit goes back. */
  release(): void;
  /** When a process refused for want of the permit may ask again. */
  retryAt(): number;
}

/**
 * Where breaker state is persisted and shared between processes. Methods may be sync or
 * async; a breaker never waits on the store to admit a call.
 */
export interface CircuitStateStore {
  load(service: string): CircuitSnapshot | undefined | Promise<CircuitSnapshot | undefined>;
  save(snapshot: CircuitSnapshot): void | Promise<void>;
  /** Tells `listener` of snapshots saved by others. */
  subscribe?(service: string, listener: (snapshot: CircuitSnapshot) => void): Disposer;
  /** The trial permits of `service`, when the store shares them: a breaker then runs trials only with one. */
  trialPermits?(service: string): TrialPermits;
}

/** Keeps snapshots in memory; breakers sharing one instance share their state. */
export class InMemoryCircuitStateStore implements CircuitStateStore {
  readonly #snapshots = new Map<string, CircuitSnapshot>();
  readonly #listeners = new Map<string, Set<(snapshot: CircuitSnapshot) => void>>();
  #version = 0;

  load(service: string): CircuitSnapshot | undefined {
    const snapshot = this.#snapshots.get(service);
    return snapshot && { ...snapshot };
  }

  save(snapshot: CircuitSnapshot): void {
    const current = this.#snapshots.get(snapshot.service);
    if (current && current.updatedAt > snapshot.updatedAt) return;
    const saved = { ...snapshot, version: ++this.#version };
    this.#snapshots.set(snapshot.service, saved);
    for (const listener of this.#listeners.get(snapshot.service) ?? []) listener({ ...saved });
  }

  subscribe(service: string, listener: (snapshot: CircuitSnapshot) => void): Disposer {
    const set = this.#listeners.get(service) ?? new Set();
    this.#listeners.set(service, set);
    set.add(listener);
    return () => set.delete(listener);
  }
}
