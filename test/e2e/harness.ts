import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockProviderEnv,
  runMockProviders,
  type FaultsConfig,
  type RunningMockProviders,
} from '../../src/providers/index.ts';
import type { RunSummary } from '../../src/commands/summary.ts';
import { afterAll, beforeAll } from 'vitest';
import { stopAllClis } from '../support/cli-process.ts';

/**
 * Shared pieces of the end-to-end tests: a temp directory per test, a fast configuration,
 * mock providers on loopback, and distinctive secrets to look for in every output.
 */

/** Seed names in seconds, shrunk so a run with outages lasts a few seconds of real time. */
export const FAST_CONFIG = {
  retry: { max_retries: 3, initial_delay: 0.05, backoff_factor: 2, jitter: 'none' },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 0.5 },
  health_check: { interval: 0.2, timeout: 1 },
  timeout: { attempt: 2, total: 10 },
  queue: { lease: 5 },
  recovery: { ramp_seconds: 1 },
};

/** Secret values no output may ever contain. */
export const SECRETS = {
  OPENAI_API_KEY: 'sk-e2e-openai-SECRET-7f3a9c',
  ELEVENLABS_API_KEY: 'xi-e2e-elevenlabs-SECRET-41bd0e',
  TWILIO_AUTH_TOKEN: 'tw-e2e-auth-SECRET-c28e55',
  HUBSPOT_ACCESS_TOKEN: 'pat-e2e-hubspot-SECRET-9d17aa',
};

/** Every secret, plus the forms it travels in (Twilio's basic-auth pair). */
export function secretForms(env: Record<string, string>): string[] {
  const secrets = Object.values(SECRETS);
  const basic = Buffer.from(`${env.TWILIO_ACCOUNT_SID}:${SECRETS.TWILIO_AUTH_TOKEN}`).toString(
    'base64',
  );
  return [...secrets, basic];
}

/** The secrets found in `text` (none, one hopes). */
export function leakedSecrets(text: string, env: Record<string, string>): string[] {
  return secretForms(env).filter((secret) => text.includes(secret));
}

/** The full E.164 numbers of `phones` that appear in `text`. */
export function leakedPhones(text: string, phones: readonly string[]): string[] {
  return phones.filter((phone) => text.includes(phone));
}

export interface Workspace {
  dir: string;
  path(name: string): string;
  write(name: string, content: string): Promise<string>;
  readJson<T>(name: string): Promise<T>;
  cleanup(): Promise<void>;
}

export async function createWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'call-agent-e2e-'));
  const path = (name: string): string => join(dir, name);
  return {
    dir,
    path,
    async write(name, content) {
      await writeFile(path(name), content);
      return path(name);
    },
    async readJson<T>(name: string): Promise<T> {
      return JSON.parse(await readFile(path(name), 'utf8')) as T;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A contacts CSV (header `id,name,phone`) for `count` contacts Contact-1… at +1415555 01xx. */
export function contactsCsv(count: number): { csv: string; phones: string[]; ids: string[] } {
  const ids = Array.from({ length: count }, (_, i) => `Contact-${i + 1}`);
  const phones = ids.map((_, i) => `+1415555${String(101 + i).padStart(4, '0')}`);
  const rows = ids.map((id, i) => `${id},Person ${i + 1},${phones[i]}`);
  return { csv: ['id,name,phone', ...rows, ''].join('\n'), phones, ids };
}

export interface E2eMock extends RunningMockProviders {
  /** The agent's environment: the mock's base URLs, with SECRETS as credentials. */
  env: Record<string, string>;
}

export async function startMock(faults?: FaultsConfig): Promise<E2eMock> {
  const running = await runMockProviders({ host: '127.0.0.1', port: 0, faults });
  return { ...running, env: { ...mockProviderEnv(running.baseUrls), ...SECRETS } };
}

/**
 * A workspace and mock providers with `faults` for the enclosing describe block: made before
 * its tests, closed after them with every CLI still running. Read them inside the tests.
 */
export function useWorkspaceAndMock(faults?: FaultsConfig): {
  readonly ws: Workspace;
  readonly mock: E2eMock;
} {
  let ws: Workspace | undefined;
  let mock: E2eMock | undefined;
  beforeAll(async () => {
    ws = await createWorkspace();
    mock = await startMock(faults);
  });
  afterAll(async () => {
    await stopAllClis();
    await mock?.close();
    await ws?.cleanup();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useWorkspaceAndMock: read it inside a test');
    return value;
  };
  return {
    get ws() {
      return ready(ws);
    },
    get mock() {
      return ready(mock);
    },
  };
}

/** The arguments of `call-agent run` in `ws` with the usual files. */
export function runArgs(ws: Workspace, ...extra: string[]): string[] {
  return [
    'run',
    ws.path('contacts.csv'),
    '--config',
    ws.path('config.json'),
    '--db',
    ws.path('queue.db'),
    '--summary-json',
    ws.path('summary.json'),
    '--log-format',
    'json',
    ...extra,
  ];
}

/** Writes contacts.csv and config.json (FAST_CONFIG merged with `config`). */
export async function prepare(
  ws: Workspace,
  csv: string,
  config: Record<string, unknown> = {},
): Promise<void> {
  await ws.write('contacts.csv', csv);
  await ws.write('config.json', JSON.stringify({ ...FAST_CONFIG, ...config }));
}

export type { RunSummary };

/** Phones of the calls the mock Twilio has created, in order. */
export function calledNumbers(mock: RunningMockProviders): string[] {
  return mock.mock.twilioCalls.map((call) => call.to);
}

/** Resolves when `condition` holds (polled every 20 ms), rejects after `timeoutMs`. */
export async function until(
  condition: () => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
