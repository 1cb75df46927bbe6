import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import { TurnBudget } from './turn-budget.ts';
import { WorkingClock } from './working-clock.test-support.ts';

describe('TurnBudget', () => {
  it('runs about a slice of the work of slots runnable together, then lets a timer in', async () => {
    const clock = new WorkingClock();
    const turns = new TurnBudget({ clock, sliceMs: 10 });
    let pieces = 0;
    // five slots, each with three pieces of 4 ms of synchronous work
    const slot = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        // as the slots pass: on at once while the slice lasts, with no `await` in between
        const turn = turns.pass();
        if (turn) await turn;
        clock.work(4);
        pieces++;
      }
    };
    // another task, due at once and again after each of its turns
    const seen: number[] = [];
    const look = (): void => {
      seen.push(pieces);
      if (pieces < 15) clock.setTimer(look, 0);
    };
    clock.setTimer(look, 0);
    let finished = false;
    void Promise.all(Array.from({ length: 5 }, slot)).then(() => (finished = true));
    await clock.runUntil(() => finished && seen.at(-1) === 15);

    // three pieces a turn (at 0, 4 and 8 ms the slice of 10 ms lasts); all 15 without it
    expect(seen).toEqual([3, 6, 9, 12, 15]);
  });

  it('counts no time the slots spent waiting: after a wait the slice is whole again', async () => {
    const clock = new WorkingClock();
    const turns = new TurnBudget({ clock, sliceMs: 10 });
    expect(turns.pass()).toBeUndefined();
    clock.work(4);
    await clock.advance(60_000); // waiting on a provider
    expect(turns.pass()).toBeUndefined();
    clock.work(4);
    expect(turns.pass()).toBeUndefined();
    clock.work(6);
    expect(turns.pass()).toBeInstanceOf(Promise);
  });

  it('on a VirtualClock, where work takes no time, never makes anyone wait', () => {
    const turns = new TurnBudget({ clock: new VirtualClock() });
    const waits = Array.from({ length: 1_000 }, () => turns.pass()).filter(Boolean);
    expect(waits).toEqual([]);
  });

  it('refuses a negative slice', () => {
    expect(() => new TurnBudget({ clock: new VirtualClock(), sliceMs: -1 })).toThrow(RangeError);
  });
});
