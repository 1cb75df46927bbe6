import { describe, expect, it } from 'vitest';
import { scriptMessages } from './script-prompt.ts';

const contact = { id: 'c1', name: 'Ada', phone: '+14155550123' };

/** The `Notes:` line of the prompt, without its label; undefined when there is none. */
function notesSent(notes: string, maxNotesChars: number): string | undefined {
  const prompt = scriptMessages({ ...contact, notes }, { maxNotesChars })[1]!.content;
  return /^Notes: (.*)$/ms.exec(prompt)?.[1]?.split('\nLanguage: ')[0];
}

describe('scriptMessages', () => {
  it('sends notes up to the cap as they are', () => {
    expect(notesSent('prefers mornings', 16)).toBe('prefers mornings');
    expect(notesSent('x'.repeat(2_000), 2_000)).toBe('x'.repeat(2_000));
  });

  it('cuts longer notes to the cap, marking the cut', () => {
    const sent = notesSent('call after 5pm. '.repeat(1_000), 2_000)!;
    expect(sent).toHaveLength(2_000);
    expect(sent.endsWith('…')).toBe(true);
    expect(sent.slice(0, 16)).toBe('call after 5pm. ');
  });

  it('never cuts a character in half', () => {
    const sent = notesSent('ab😀😀😀', 4)!;
    expect(sent).toBe('ab…');
    expect(sent).not.toMatch(/\p{Cs}/u); // no lone surrogate
    expect(notesSent('a😀😀', 4)).toBe('a😀…');
  });

  it('sends no notes when the cap is 0', () => {
    expect(notesSent('anything', 0)).toBeUndefined();
  });
});
