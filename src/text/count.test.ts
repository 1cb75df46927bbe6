import { describe, expect, it } from 'vitest';
import { count } from './count.ts';

describe('count', () => {
  it('says 1 contact, 0 contacts and 10,000 contacts', () => {
    expect(count(1, 'contact')).toBe('1 contact');
    expect(count(0, 'contact')).toBe('0 contacts');
    expect(count(10_000, 'contact')).toBe('10,000 contacts');
    expect(count(2, 'entry', 'entries')).toBe('2 entries');
  });
});
