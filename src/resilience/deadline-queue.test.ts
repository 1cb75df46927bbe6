import { describe, expect, it } from 'vitest';
import { DeadlineQueue, type DeadlineEntry } from './deadline-queue.ts';
import { VirtualClock } from './virtual-clock.ts';

function entry(log: string[], name: string): DeadlineEntry {
  return {
    deadline: 0,
    prev: undefined,
    next: undefined,
    queued: false,
    expire: () => log.push(name),
    abort: (reason) => log.push(`${name} aborted: ${String(reason)}`),
  };
}

describe('DeadlineQueue', () => {
  it('expires entries in start order at their own deadline, with one timer', async () => {
    const clock = new VirtualClock(0);
    const queue = new DeadlineQueue(1_000, clock);
    const log: string[] = [];
    queue.add(entry(log, 'a'));
    await clock.advance(300);
    queue.add(entry(log, 'b'));
    queue.add(entry(log, 'c'));
    expect(queue.size).toBe(3);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(700);
    expect(log).toEqual(['a']);
    expect(clock.pendingTimers).toBe(1); // re-armed for b
    await clock.advance(299);
    expect(log).toEqual(['a']);
    await clock.advance(1);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a removed entry never expires; removal is idempotent', async () => {
    const clock = new VirtualClock(0);
    const queue = new DeadlineQueue(100, clock);
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => entry(log, n)) as [
      DeadlineEntry,
      DeadlineEntry,
      DeadlineEntry,
    ];
    queue.add(a);
    queue.add(b);
    queue.add(c);
    queue.remove(b);
    queue.remove(b);
    queue.remove(a);
    expect(queue.size).toBe(1);
    await clock.advance(100);
    expect(log).toEqual(['c']);
  });

  it('close() cancels the timer', async () => {
    const clock = new VirtualClock(0);
    const queue = new DeadlineQueue(100, clock);
    const log: string[] = [];
    queue.add(entry(log, 'a'));
    queue.close();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1_000);
    expect(log).toEqual([]);
  });

  it('close(reason) aborts every entry still queued, oldest first, and empties the queue', async () => {
    const clock = new VirtualClock(0);
    const queue = new DeadlineQueue(100, clock);
    const log: string[] = [];
    const [a, b] = [entry(log, 'a'), entry(log, 'b')];
    queue.add(a);
    queue.add(b);
    queue.add(entry(log, 'c'));
    queue.remove(b);
    queue.close('disposed');
    expect(log).toEqual(['a aborted: disposed', 'c aborted: disposed']);
    expect(queue.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('its timer keeps the process alive while an entry is queued, and only then', () => {
    const kept: boolean[] = [];
    const clock = new VirtualClock(0);
    const recording = {
      now: () => clock.now(),
      sleep: () => Promise.resolve(),
      setTimer: (callback: () => void, ms: number, options?: { keepAlive?: boolean }) => {
        kept.push(options?.keepAlive ?? false);
        return { ...clock.setTimer(callback, ms), keepAlive: (on: boolean) => kept.push(on) };
      },
    };
    const queue = new DeadlineQueue(1_000, recording);
    const a = entry([], 'a');
    const b = entry([], 'b');
    queue.add(a); // armed, holding the process
    queue.add(b);
    queue.remove(a);
    queue.remove(b); // idle: lets go
    queue.add(a); // the same timer holds it again
    expect(kept).toEqual([true, false, true]);
  });
});
