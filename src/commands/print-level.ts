import { ConfigError } from '../config.ts';
import { LOG_LEVELS, type LogLevel } from '../observability/log-record.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** `LOG_LEVEL`'s values; `debug` prints what `info` does (the agent writes no debug lines). */
const LEVEL_OF: Readonly<Record<string, LogLevel>> = {
  debug: 'INFO',
  info: 'INFO',
  warning: 'WARNING',
  error: 'ERROR',
  critical: 'CRITICAL',
};

/**
 * The lowest level of the log lines printed: `LOG_LEVEL` (any case; default info), raised to
 * WARNING by `--quiet`. The sinks (Google Sheets) get every line whatever it says. An invalid
 * `LOG_LEVEL` is a ConfigError that names it.
 */
export function printLevelFrom(env: Env, quiet = false): LogLevel {
  const raw = env.LOG_LEVEL?.trim() ?? '';
  const fromEnv = raw === '' ? 'INFO' : LEVEL_OF[raw.toLowerCase()];
  if (fromEnv === undefined) {
    const expected = Object.keys(LEVEL_OF)
      .map((name) => JSON.stringify(name))
      .join(', ');
    throw new ConfigError(
      `invalid environment: LOG_LEVEL = ${JSON.stringify(env.LOG_LEVEL)}: expected one of ${expected}`,
    );
  }
  return quiet && LOG_LEVELS.indexOf(fromEnv) < LOG_LEVELS.indexOf('WARNING') ? 'WARNING' : fromEnv;
}
