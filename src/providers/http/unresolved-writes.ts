/**
 * What an adapter remembers of its writes whose fate is unknown (an ambiguous failure), by
 * key, so the next write of the same thing looks it up first: the newest `max`, the oldest
 * forgotten first.
 */
export class UnresolvedWrites<V> {
  readonly #entries = new Map<string, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Remembers `key` as the newest; past `max`, the oldest is forgotten. */
  remember(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** The write's fate is known now. */
  resolve(key: string): void {
    this.#entries.delete(key);
  }
}
