import type { z } from 'zod';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The paths at which `input` holds ±Infinity (from JSON, a number too large for a double). */
function infinities(input: unknown, path: readonly PropertyKey[] = []): PropertyKey[][] {
  if (input === Infinity || input === -Infinity) return [[...path]];
  if (typeof input !== 'object' || input === null) return [];
  return Object.entries(input).flatMap(([key, value]) => infinities(value, [...path, key]));
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((key, i) => String(path[i]) === String(key));
}

/**
 * The message of an invalid configuration: one line per problem, naming the key, the value as
 * written (`literals`: numbers too large for a double, by dotted path) and what is expected.
 */
export function describeConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  source: string,
  literals: ReadonlyMap<string, string>,
): string {
  const huge = infinities(input);
  const said = new Set<string>();
  const lines: string[] = [];
  for (const issue of issues) {
    const key = issue.path.join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `${key}.` : '';
      lines.push(`  ${issue.keys.map((k) => where + k).join(', ')}: unknown key`);
      continue;
    }
    // A number too large for a double is the problem to name, not its container.
    const inside = huge.filter((path) => startsWith(path, issue.path));
    for (const path of inside) {
      const at = path.join('.');
      if (said.has(at)) continue;
      said.add(at);
      const value = valueAt(input, path) as number;
      const expected = at === key ? `; expected ${issue.message}` : '';
      const size = value > 0 ? 'large' : 'small';
      lines.push(`  ${at} = ${literals.get(at) ?? String(value)}: too ${size}${expected}`);
    }
    if (inside.length > 0) continue;
    const value = valueAt(input, issue.path);
    const shown =
      value === undefined
        ? 'missing'
        : typeof value === 'number'
          ? String(value)
          : JSON.stringify(value);
    lines.push(`  ${key} = ${shown}: expected ${issue.message}`);
  }
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}
