import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI compiled from src/ at the start of the test run (see call-agent-built.js). */
const BIN = fileURLToPath(new URL('./call-agent-built.js', import.meta.url));

/** Children still running, so a failed test can stop what it started (`stopAllClis`). */
const running = new Set<ChildProcess>();

export interface CliOptions {
  /** Added to a clean environment (PATH, HOME, NODE_ENV=test only). */
  env?: Record<string, string>;
  cwd?: string;
  /**
   * No file the CLI writes may grow past this many KiB (`ulimit -f`): a full disk without
   * root. Node ignores SIGXFSZ, so such a write fails with EFBIG.
   */
  fileSizeLimitKiB?: number;
  /** stderr joins stdout in one stream, in the order the CLI wrote them. */
  mergeStderr?: boolean;
  /**
   * Runs the CLI on a pseudo-terminal (`script`): stdout and stderr are one terminal, as when
   * a person runs it; its output arrives as stdout with `\r\n` line ends made `\n`.
   */
  terminal?: boolean;
}

/** Quotes a word for sh. */
const shellWord = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

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
  /** Resolves when stdout (as text) satisfies `match`. */
  waitForStdout: (match: (stdout: string) => boolean, timeoutMs?: number) => Promise<void>;
}

/** Starts `call-agent <args>` with `env` added to a clean environment. */
export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    ...options.env,
  };
  const spawnOptions: SpawnOptions = { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] };
  const limit = options.fileSizeLimitKiB;
  const shell = [
    ...(limit === undefined ? [] : [`ulimit -f ${limit}`]),
    `exec "$0" "$@"${options.mergeStderr ? ' 2>&1' : ''}`,
  ].join('; ');
  const child = options.terminal
    ? spawn(
        'script',
        ['-qfec', [process.execPath, BIN, ...args].map(shellWord).join(' '), '/dev/null'],
        spawnOptions,
      )
    : limit === undefined && !options.mergeStderr
      ? spawn(process.execPath, [BIN, ...args], spawnOptions)
      : spawn('bash', ['-c', shell, process.execPath, BIN, ...args], spawnOptions);
  running.add(child);
  let raw = '';
  /** stdout, with a terminal's `\r\n` line ends made `\n`. */
  const stdout = (): string => (options.terminal ? raw.replace(/\r\n/g, '\n') : raw);
  let err = '';
  const watchers: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  // 'close' (not 'exit'): every byte of stdout and stderr has been read by then.
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  const jsonLines = (): Array<Record<string, unknown>> =>
    stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const waitForStdout = (match: (stdout: string) => boolean, timeoutMs = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(timer);
        const at = watchers.indexOf(check);
        if (at >= 0) watchers.splice(at, 1);
      };
      const check = (): void => {
        if (match(stdout())) {
          stop();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no matching output within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`));
      }, timeoutMs);
      watchers.push(check);
      check();
      void exited.then(() => {
        if (!watchers.includes(check)) return;
        stop();
        reject(new Error(`process exited before a matching output; stderr: ${err.slice(-2000)}`));
      });
    });
  const waitForLine = (
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<void> => waitForStdout(() => jsonLines().some(match), timeoutMs);
  return {
    child,
    stdout,
    stderr: () => err,
    jsonLines,
    exited,
    waitForLine,
    waitForStdout,
  };
}

export interface CliResult {
  code: number | string;
  stdout: string;
  stderr: string;
  lines: Array<Record<string, unknown>>;
}

/**
 * Runs `call-agent <args>` to the end. With `timeoutMs`, a child still running then is killed
 * (SIGKILL) and the promise rejects, so a hung run fails its test instead of outliving it.
 */
export async function runCli(
  args: string[],
  options: CliOptions & { timeoutMs?: number } = {},
): Promise<CliResult> {
  const cli = startCli(args, options);
  return finished(cli, options.timeoutMs);
}

/** Waits for a started child to end (killing it after `timeoutMs`) and returns its output. */
export async function finished(cli: CliProcess, timeoutMs?: number): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      cli.child.kill('SIGKILL');
    }, timeoutMs);
  }
  const code = await cli.exited;
  clearTimeout(timer);
  if (timedOut) {
    throw new Error(
      `call-agent still running after ${timeoutMs} ms (killed); stderr: ${cli.stderr().slice(-2000)}`,
    );
  }
  return { code, stdout: cli.stdout(), stderr: cli.stderr(), lines: cli.jsonLines() };
}

/** Kills (SIGKILL, by pid) every child started here that is still running. */
export async function stopAllClis(): Promise<void> {
  const left = [...running];
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          if (!child.kill('SIGKILL')) resolve();
        }),
    ),
  );
}
