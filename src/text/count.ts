/** `1 contact`, `2 contacts`, `10,000 contacts`: a number with its noun, in English. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
}
