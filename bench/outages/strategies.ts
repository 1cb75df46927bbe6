import { cockatiel } from './cockatiel-strategy.ts';
import { opossum } from './opossum-strategy.ts';
import { ours } from './ours-strategy.ts';
import { naive, retryOnly } from './plain-strategies.ts';
import type { Strategy } from './strategy.ts';

/** Every strategy, ours first: the table's ratios are to ours. */
export const strategies: readonly Strategy[] = [ours, naive, retryOnly, cockatiel, opossum];

export function strategyNamed(name: string): Strategy {
  const found = strategies.find((s) => s.name === name);
  if (!found)
    throw new Error(
      `unknown strategy '${name}': one of ${strategies.map((s) => s.name).join(', ')}`,
    );
  return found;
}
