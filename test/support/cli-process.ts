import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/call-agent.js', import.meta.url));

/** A `call-agent` child process whose output is collected as it comes. */
export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Every stdout line that parses as JSON. */
  jsonLines: () => Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Resolves when stdout has a line for which `match` holds. */
  waitForLine: (
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ) => Promise<void>;
}

/** Starts `call-agent <args>` with `env` added to a clean environment. */
export function startCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    ...options.env,
  };
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const jsonLines = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const waitForLine = (
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (jsonLines().some(match)) {
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        watchers.splice(watchers.indexOf(check), 1);
        reject(new Error(`no matching line within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`));
      }, timeoutMs);
      watchers.push(check);
      check();
      void exited.then(() => {
        if (watchers.includes(check)) {
          clearTimeout(timer);
          watchers.splice(watchers.indexOf(check), 1);
          reject(new Error(`process exited before a matching line; stderr: ${err.slice(-2000)}`));
        }
      });
    });
  return { child, stdout: () => out, stderr: () => err, jsonLines, exited, waitForLine };
}

/** Runs `call-agent <args>` to the end. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{
  code: number | string;
  stdout: string;
  stderr: string;
  lines: Array<Record<string, unknown>>;
}> {
  const process = startCli(args, options);
  const code = await process.exited;
  return { code, stdout: process.stdout(), stderr: process.stderr(), lines: process.jsonLines() };
}
