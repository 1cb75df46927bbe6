import { dirname, join } from 'node:path';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Output } from '../redaction/output.ts';
import { coloured } from '../redaction/printable.ts';
import {
  checkAlerts,
  checkConfig,
  checkContacts,
  checkEnvFile,
  checkLogLevel,
  checkProviderSettings,
  checkQueue,
  checkSheets,
  probeProviders,
  type CheckLine,
} from './check-steps.ts';
import { count } from '../text/count.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface CheckOptions {
  contactsFile: string;
  /** `--config`; else CALL_AGENT_CONFIG, else `./call-agent.config.json` if present. */
  configPath?: string | undefined;
  /** `--default-region`; else the configuration's `contacts.default_region`. */
  defaultRegion?: CountryCode | undefined;
  db: string;
  /** `--queue redis`: the fleet's Redis is checked instead of the SQLite file. */
  queue?: 'sqlite' | 'redis' | undefined;
  env: Env;
  output: Output;
}

const VERDICT_COLOUR = { ok: 'green', warn: 'yellow', FAIL: 'red' } as const;

function print(line: CheckLine, output: Output): void {
  const { verdict } = line;
  output.out([
    coloured(verdict, VERDICT_COLOUR[verdict]),
    `${' '.repeat(4 - verdict.length)}  ${line.text}`,
  ]);
  for (const detail of line.details ?? []) output.out(`        ${detail}`);
}

/**
 * `call-agent check <contacts.csv>`: what a run would need, checked without running one —
 * the CSV (by `run`'s rules), the configuration, the environment, one probe of each
 * provider's health endpoint. Places no call, queues nothing and creates no file. Returns
 * 0 when a run could start, 1 otherwise.
 */
export async function check(options: CheckOptions): Promise<number> {
  const { env, output } = options;
  const lines: CheckLine[] = [];
  const [config, configLine] = checkConfig(options.configPath, env);
  lines.push(configLine, ...checkEnvFile(), ...checkLogLevel(env));
  const region = options.defaultRegion ?? config.contacts.default_region;
  lines.push(await checkContacts(options.contactsFile, region));
  const [settings, settingsLine] = checkProviderSettings(env, config);
  lines.push(settingsLine);
  if (settings) lines.push(...(await probeProviders(settings, config.health_check.timeout * 1000)));
  lines.push(checkAlerts(env));
  lines.push(await checkSheets(env, join(dirname(options.db), 'sheets-spill.jsonl')));
  if (options.queue === 'redis') {
    const { checkFleetQueue } = await import('./check-fleet.ts');
    lines.push(...(await checkFleetQueue(config, env)));
  } else {
    lines.push(checkQueue(options.db));
  }
  for (const line of lines) print(line, output);
  const failed = lines.filter((line) => line.verdict === 'FAIL').length;
  if (failed === 0) {
    output.out('check: a run could start (no call was placed, nothing was queued)');
    return 0;
  }
  output.out(`check: ${count(failed, 'problem')}: a run would not start as it is`);
  return 1;
}
