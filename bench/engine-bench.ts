/**
 * Per-call overhead and idle memory of the resilience engine, next to cockatiel and opossum.
 * Success path only (fn = async () => 1), sequential awaits, interleaved rounds, median.
 */
import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import OpossumBreaker from 'opossum';
import { CircuitBreaker } from '../src/resilience/circuit-breaker.ts';
import { createServicePolicy, systemClock, type PolicyConfig } from '../src/resilience/index.ts';

const WARM_UP = 20_000;
const ROUNDS = 7;
const CALLS_PER_ROUND = 50_000;
const IDLE_INSTANCES = 10_000;

const fn = async (): Promise<number> => 1;

/** The full policy the issue sets the target for. */
const ourConfig: PolicyConfig = {
  retry: { max_retries: 3, initial_delay: 1, backoff_factor: 2 },
  circuit_breaker: { failure_threshold: 5, recovery_timeout: 10 },
  timeout: { attempt: 10, total: 30 },
  bulkhead: { max_concurrent: 10 },
};

function ourPolicy() {
  return createServicePolicy('bench', ourConfig, { clock: systemClock });
}

function cockatielPolicy() {
  return wrap(
    bulkhead(10),
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
    timeout(10_000, TimeoutStrategy.Cooperative),
  );
}

type Runner = () => Promise<unknown>;

async function timeRound(run: Runner, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await run();
  return Number(process.hrtime.bigint() - start) / calls;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** ns/call of each runner: warm-up, then interleaved rounds so drift hits all alike. */
async function timeAll(runners: Record<string, Runner>): Promise<Record<string, number>> {
  for (const run of Object.values(runners)) await timeRound(run, WARM_UP);
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runners)) {
      (samples[name] ??= []).push(await timeRound(run, CALLS_PER_ROUND));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

type Gc = () => void;

/** Heap bytes per live instance made by `make`; `dispose` runs after measuring. */
function bytesPerInstance<T>(gc: Gc, make: () => T, dispose?: (instance: T) => void): number {
  const keep: T[] = new Array<T>(IDLE_INSTANCES);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < IDLE_INSTANCES; i++) keep[i] = make();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (dispose) for (const instance of keep) dispose(instance);
  return (after - before) / IDLE_INSTANCES;
}

function measureMemory(): Record<string, number> | undefined {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (typeof gc !== 'function') return undefined;
  return {
    'ours: CircuitBreaker': bytesPerInstance(
      gc,
      () =>
        new CircuitBreaker({ service: 'bench', failureThreshold: 5, recoveryTimeoutMs: 10_000 }),
    ),
    'ours: full ServicePolicy': bytesPerInstance(gc, ourPolicy),
    'cockatiel: circuitBreaker': bytesPerInstance(gc, () =>
      circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    ),
    'cockatiel: full wrap': bytesPerInstance(gc, cockatielPolicy),
    'opossum: CircuitBreaker': bytesPerInstance(
      gc,
      () => new OpossumBreaker(fn, { timeout: 10_000 }),
      (breaker) => breaker.shutdown(),
    ),
  };
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Runs the benchmark, prints a table and returns the figures. */
export async function benchEngine(): Promise<Record<string, number>> {
  const ours = ourPolicy();
  const cockatiel = cockatielPolicy();
  const opossum = new OpossumBreaker(fn, { timeout: 10_000 });
  const callerSignal = new AbortController().signal;
  const ns = await timeAll({
    bare: () => fn(),
    ours: () => ours.execute(fn),
    // informative: what a real caller pays, with its own AbortSignal to join
    'ours + caller signal': () => ours.execute(fn, { signal: callerSignal }),
    cockatiel: () => cockatiel.execute(fn),
    opossum: () => opossum.fire(),
  });
  opossum.shutdown();
  const bare = ns.bare!;
  const overhead = (name: string): number => ns[name]! - bare;

  console.log(
    `\nresilience engine — success path, ${ROUNDS}×${fmt(CALLS_PER_ROUND)} sequential calls, median`,
  );
  console.log('contender                          ns/call   overhead ns');
  for (const name of ['bare', 'ours', 'ours + caller signal', 'opossum', 'cockatiel']) {
    console.log(
      `${name.padEnd(32)} ${fmt(ns[name]!).padStart(9)} ${fmt(overhead(name)).padStart(13)}`,
    );
  }
  const results: Record<string, number> = {
    'bare ns/call': bare,
    'ours ns/call': ns.ours!,
    'ours overhead ns': overhead('ours'),
    'ours + caller signal overhead ns': overhead('ours + caller signal'),
    'opossum overhead ns': overhead('opossum'),
    'cockatiel overhead ns': overhead('cockatiel'),
    'overhead ours/opossum': overhead('ours') / overhead('opossum'),
    'overhead ours/cockatiel': overhead('ours') / overhead('cockatiel'),
  };
  console.log(`overhead ratio ours/opossum   ${fmt(results['overhead ours/opossum']!, 3)}`);
  console.log(`overhead ratio ours/cockatiel ${fmt(results['overhead ours/cockatiel']!, 3)}`);

  const memory = measureMemory();
  if (memory === undefined) {
    console.log('bytes per idle breaker: skipped (run node with --expose-gc)');
  } else {
    console.log(`\nbytes per idle breaker/policy (${fmt(IDLE_INSTANCES)} each, heapUsed delta)`);
    for (const [name, bytes] of Object.entries(memory)) {
      console.log(`${name.padEnd(32)} ${fmt(bytes).padStart(9)} B`);
      results[`bytes ${name}`] = bytes;
    }
  }
  return results;
}
