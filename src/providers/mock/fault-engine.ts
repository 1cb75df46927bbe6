import type { Clock } from '../../resilience/index.ts';
import {
  parseFaultsConfig,
  parseFault,
  type Fault,
  type FaultsConfig,
  type ProviderFaultsInput,
} from './faults.ts';
import { mockProviderIds, type EndpointKind, type MockProviderId } from './mock-types.ts';
import { seededRandom } from './seeded-random.ts';

interface Outage {
  from: number;
  to: number;
  fault: Fault;
}

interface ProviderFaults {
  script: Fault[];
  probeScript: Fault[];
  lookupScript: Fault[];
  outages: Outage[];
  errorRate: number;
  errorFault: Fault;
  latencyMs: number;
}

const DOWN: Fault = { type: 'status', status: 503 };

const noFaults = (): ProviderFaults => ({
  script: [],
  probeScript: [],
  lookupScript: [],
  outages: [],
  errorRate: 0,
  errorFault: DOWN,
  latencyMs: 0,
});

/**
 * Decides how each request to a mock provider goes: the next scripted fault of its endpoint
 * kind, else an outage covering the mock clock's now, else a seeded roll against the error
 * rate (operations only), else ok.
 */
export class FaultEngine {
  readonly #clock: Clock;
  readonly #faults = new Map<MockProviderId, ProviderFaults>();
  #random: () => number;

  constructor(clock: Clock, seed = 1) {
    this.#clock = clock;
    this.#random = seededRandom(seed);
  }

  /**
   * Replaces the faults of every provider named in `config` (null clears them); others keep
   * theirs. Throws a readable error when the config is invalid, changing nothing.
   */
  set(input: FaultsConfig): void {
    const config = parseFaultsConfig(input);
    const next = new Map<MockProviderId, ProviderFaults>();
    for (const id of mockProviderIds) {
      const faults = config[id];
      if (faults !== undefined) next.set(id, faults === null ? noFaults() : this.#resolve(faults));
    }
    for (const [id, faults] of next) this.#faults.set(id, faults);
    if (config.seed !== undefined) this.#random = seededRandom(config.seed);
  }

  clear(): void {
    this.#faults.clear();
  }

  /** The fault for the next request of `provider` to an endpoint of `kind`. */
  next(provider: MockProviderId, kind: EndpointKind): Fault {
    const faults = this.#faults.get(provider);
    if (!faults) return { type: 'ok' };
    const script =
      kind === 'operation'
        ? faults.script
        : kind === 'probe'
          ? faults.probeScript
          : kind === 'lookup'
            ? faults.lookupScript
            : [];
    const scripted = script.shift();
    if (scripted) return scripted;
    const now = this.#clock.now();
    const outage = faults.outages.find((window) => now >= window.from && now < window.to);
    if (outage) return outage.fault;
    if (kind === 'operation' && faults.errorRate > 0 && this.#random() < faults.errorRate) {
      return faults.errorFault;
    }
    return { type: 'ok' };
  }

  latencyMs(provider: MockProviderId): number {
    return this.#faults.get(provider)?.latencyMs ?? 0;
  }

  /** Every fault named in the config, to check them against the providers' catalogues. */
  static faultsIn(config: FaultsConfig): Array<{ provider: MockProviderId; fault: Fault }> {
    return mockProviderIds.flatMap((provider) => {
      const input = config[provider];
      if (!input) return [];
      const all = [
        ...(input.script ?? []),
        ...(input.probeScript ?? []),
        ...(input.lookupScript ?? []),
        ...(input.outages ?? []).flatMap((outage) => (outage.fault ? [outage.fault] : [])),
        ...(input.errorFault ? [input.errorFault] : []),
      ];
      return all.map((fault) => ({ provider, fault: parseFault(fault) }));
    });
  }

  /** The current faults, as JSON. */
  snapshot(): Record<string, ProviderFaults> {
    return Object.fromEntries(this.#faults);
  }

  #resolve(input: ProviderFaultsInput): ProviderFaults {
    const now = this.#clock.now();
    return {
      script: (input.script ?? []).map(parseFault),
      probeScript: (input.probeScript ?? []).map(parseFault),
      lookupScript: (input.lookupScript ?? []).map(parseFault),
      outages: (input.outages ?? []).map((outage) => {
        const from = outage.from ?? now + (outage.afterMs ?? 0);
        const to =
          outage.to ?? (outage.durationMs === undefined ? Infinity : from + outage.durationMs);
        return { from, to, fault: outage.fault === undefined ? DOWN : parseFault(outage.fault) };
      }),
      errorRate: input.errorRate ?? 0,
      errorFault: input.errorFault === undefined ? DOWN : parseFault(input.errorFault),
      latencyMs: input.latencyMs ?? 0,
    };
  }
}
