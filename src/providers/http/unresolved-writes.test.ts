import { expect, it } from 'vitest';
import { UnresolvedWrites } from './unresolved-writes.ts';

it('keeps the newest `max` writes: remembering one again makes it the newest', () => {
  const writes = new UnresolvedWrites<number>(2);
  writes.remember('a', 1);
  writes.remember('b', 2);
  writes.remember('a', 3); // a is the newest now: b goes first
  writes.remember('c', 4);
  expect([writes.get('a'), writes.has('b'), writes.get('c')]).toEqual([3, false, 4]);
  writes.resolve('a');
  expect(writes.has('a')).toBe(false);
});
