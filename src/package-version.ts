import { readFileSync } from 'node:fs';

/** The `version` of this package's package.json (one folder up from src/ and from dist/). */
export function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
