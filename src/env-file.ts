import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** The file of variables read from the working directory at start, when it exists. */
export const ENV_FILE = '.env';

/** A `.env` that exists but cannot be read. */
export class EnvFileError extends Error {
  readonly code = 'E_ENV_FILE';
}

/**
 * Reads `dir/.env` (Node's own `util.parseEnv` syntax: `KEY=value`, quotes, `#` comments,
 * `export KEY=…`) into `env`, where `env` does not set the variable already: the real
 * environment wins. No file, nothing to do. Returns the names it set.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv, dir = process.cwd()): string[] {
  const path = join(dir, ENV_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new EnvFileError(`cannot read ${path}: ${code ?? String(error)}`, { cause: error });
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

/** `loadEnvFile` at the start of the program: the error, rather than a throw, if it fails. */
export function readEnvFile(env: NodeJS.ProcessEnv): EnvFileError | undefined {
  try {
    loadEnvFile(env);
    return undefined;
  } catch (error) {
    if (error instanceof EnvFileError) return error;
    throw error;
  }
}
