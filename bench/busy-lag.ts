/**
 * Event-loop lag counted only while this process had the CPU. `monitorEventLoopDelay` measures
 * wall time: on a machine whose cores other processes share, a stall includes the time the
 * operating system gave the cores to them. Here each delay of a 10 ms timer is capped by the
 * CPU time this process (all its threads) used meanwhile: what the agent's own work costs the
 * loop. It still counts the GC's and libuv's threads, so it errs high.
 */
export class BusyLag {
  readonly #periodMs: number;
  readonly #delays: number[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(periodMs = 10) {
    this.#periodMs = periodMs;
  }

  start(): void {
    let at = performance.now();
    let cpu = process.cpuUsage();
    const tick = (): void => {
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      const delay = now - at - this.#periodMs;
      this.#delays.push(Math.max(0, Math.min(delay, (used.user + used.system) / 1000)));
      at = now;
      cpu = process.cpuUsage();
      this.#timer = setTimeout(tick, this.#periodMs).unref();
    };
    this.#timer = setTimeout(tick, this.#periodMs).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** The delay (ms) that `share` of the ticks stayed under (0.99: p99). */
  percentile(share: number): number {
    const sorted = [...this.#delays].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
  }

  get max(): number {
    return this.#delays.reduce((a, b) => Math.max(a, b), 0);
  }
}
