import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDefaults, backoffDelay, type Jitter } from './exponential-backoff.ts';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
// Delays in whole milliseconds (as configured); 0 is a legal initial delay ("retry at once").
const options = fc.record({
  initialDelayMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120_000 })),
  backoffFactor: fc.double({ min: 1, max: 10, noNaN: true }),
  maxDelayMs: fc.integer({ min: 0, max: 600_000 }),
});
const retry = fc.integer({ min: 1, max: 2_000 });

/** min(cap, base·factor^(n−1)), computed independently of the code under test. */
function ceiling(
  o: { initialDelayMs: number; backoffFactor: number; maxDelayMs: number },
  n: number,
): number {
  let e = o.initialDelayMs;
  for (let i = 1; i < n && e < o.maxDelayMs; i++) e *= o.backoffFactor;
  return Math.min(o.maxDelayMs, e);
}

describe('backoffDelay', () => {
  it("'none' is the capped exponential from initial delay and factor (the seed: 5 s, 10 s, 20 s)", () => {
    const seed = { initialDelayMs: 5_000, backoffFactor: 2, jitter: 'none' as const };
    expect([1, 2, 3, 4].map((n) => backoffDelay(seed, n))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffDelay({ ...seed, maxDelayMs: 15_000 }, 3)).toBe(15_000);
    expect(backoffDelay(seed, 10)).toBe(backoffDefaults.maxDelayMs);
    // an initial delay of 0 stays 0 even when factor^(n−1) overflows to Infinity
    expect(backoffDelay({ initialDelayMs: 0, backoffFactor: 2, jitter: 'none' }, 2_000)).toBe(0);
  });

  it('defaults to full jitter: random() · capped exponential', () => {
    expect(backoffDefaults.jitter).toBe('full');
    const o = { initialDelayMs: 1_000, backoffFactor: 2, random: () => 0.25 };
    expect(backoffDelay(o, 3)).toBe(1_000);
  });

  it('equal and decorrelated follow the AWS formulas', () => {
    const base = { initialDelayMs: 1_000, backoffFactor: 2, maxDelayMs: 30_000 };
    // equal: e/2 + random · e/2 with e = 4 000
    expect(backoffDelay({ ...base, jitter: 'equal', random: () => 0.5 }, 3)).toBe(3_000);
    // decorrelated: min(cap, random_between(base, previous · 3))
    const d = (random: number, previous?: number): number =>
      backoffDelay({ ...base, jitter: 'decorrelated', random: () => random }, 2, previous);
    expect(d(0, 8_000)).toBe(1_000);
    expect(d(0.5, 8_000)).toBe(1_000 + 0.5 * (24_000 - 1_000));
    expect(d(0.99, 20_000)).toBe(30_000);
    expect(d(0.5)).toBe(2_000); // no previous delay: treated as base
  });

  it('property: every mode stays within [0, max_delay] and is a finite number', () => {
    fc.assert(
      fc.property(
        options,
        retry,
        fc.constantFrom<Jitter>('none', 'full', 'equal', 'decorrelated'),
        unit,
        fc.option(fc.double({ min: 0, max: 1e7, noNaN: true }), { nil: undefined }),
        (o, n, jitter, r, previous) => {
          const delay = backoffDelay({ ...o, jitter, random: () => r }, n, previous);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(o.maxDelayMs);
        },
      ),
    );
  });

  it("property: 'none' is exactly the ceiling", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 1, max: 60 }), (o, n) => {
        const delay = backoffDelay({ ...o, jitter: 'none' }, n);
        expect(delay).toBeCloseTo(ceiling(o, n), 6);
      }),
    );
  });

  it("property: 'full' is within [0, ceiling] and scales with random()", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 1, max: 60 }), unit, (o, n, r) => {
        const delay = backoffDelay({ ...o, jitter: 'full', random: () => r }, n);
        const e = ceiling(o, n);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(e * (1 + 1e-9));
        expect(delay).toBeCloseTo(r * e, 6);
      }),
    );
  });

  it("property: 'equal' is within [ceiling/2, ceiling]", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 1, max: 60 }), unit, (o, n, r) => {
        const delay = backoffDelay({ ...o, jitter: 'equal', random: () => r }, n);
        const e = ceiling(o, n);
        expect(delay).toBeGreaterThanOrEqual((e / 2) * (1 - 1e-9));
        expect(delay).toBeLessThanOrEqual(e * (1 + 1e-9));
      }),
    );
  });

  it("property: 'decorrelated' is within [min(base, cap), min(cap, 3 · max(base, previous))]", () => {
    fc.assert(
      fc.property(
        options,
        retry,
        unit,
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        (o, n, r, previous) => {
          const delay = backoffDelay(
            { ...o, jitter: 'decorrelated', random: () => r },
            n,
            previous,
          );
          const base = o.initialDelayMs;
          expect(delay).toBeGreaterThanOrEqual(Math.min(base, o.maxDelayMs) * (1 - 1e-9));
          expect(delay).toBeLessThanOrEqual(
            Math.min(o.maxDelayMs, 3 * Math.max(base, previous)) * (1 + 1e-9),
          );
        },
      ),
    );
  });

  it('property: with a constant random(), full-jitter delays never shrink from one retry to the next', () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 1, max: 59 }), unit, (o, n, r) => {
        const at = (k: number): number => backoffDelay({ ...o, random: () => r }, k);
        expect(at(n + 1)).toBeGreaterThanOrEqual(at(n));
      }),
    );
  });
});
