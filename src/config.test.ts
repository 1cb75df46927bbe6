import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MAX_TIMER_SECONDS, parseConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The message of the ConfigError `load` throws. */
function configError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

/** `{ a: { b: value } }` for the path `a.b`. */
function nested(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<
    string,
    unknown
  >;
}

const DURATIONS = [
  'retry.initial_delay',
  'retry.max_delay',
  'circuit_breaker.recovery_timeout',
  'timeout.attempt',
  'timeout.total',
  'health_check.interval',
  'health_check.timeout',
  'queue.lease',
  'services.twilio.retry.max_delay',
  'services.openai.timeout.total',
  'services.hubspot.circuit_breaker.recovery_timeout',
];

describe('configuration', () => {
  it('refuses a lease shorter than 5 s, and defaults to 30 s', () => {
    expect(parseConfig({}).queue.lease).toBe(30);
    expect(parseConfig({ queue: { lease: 5 } }).queue.lease).toBe(5);
    const message = configError(() => parseConfig({ queue: { lease: 4.9 } }));
    expect(message).toContain('queue.lease = 4.9: expected a lease in seconds, a number ≥ 5');
  });

  it("refuses every duration longer than Node's longest timer, naming the key and the bound", () => {
    expect(MAX_TIMER_SECONDS).toBe(2_147_483);
    expect(MAX_TIMER_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    for (const key of DURATIONS) {
      const message = configError(() => parseConfig(nested(key, 3_000_000)));
      expect(message).toContain(`${key} = 3000000: expected`);
      expect(message).toContain('at most 2147483');
      expect(() => parseConfig(nested(key, MAX_TIMER_SECONDS))).not.toThrow();
    }
    const windows = {
      circuit_breaker: {
        failure_rate: { threshold: 0.5, window: 3e6, minimum_calls: 2 },
        slow_call: { duration: 3e6, rate_threshold: 0.5, window: 3e6, minimum_calls: 2 },
      },
    };
    const message = configError(() => parseConfig(windows));
    for (const key of ['failure_rate.window', 'slow_call.duration', 'slow_call.window']) {
      expect(message).toMatch(new RegExp(`circuit_breaker\\.${key} = 3000000: .*at most 2147483`));
    }
  });

  it('reads a config file that starts with a UTF-8 byte order mark', () => {
    const path = configFile('bom.json', '\uFEFF{ "retry": { "max_retries": 2 } }');
    expect(loadConfig(path, {}).retry.max_retries).toBe(2);
  });

  it('reports a number too large for a double as too large, as it was written', () => {
    const path = configFile(
      'huge.json',
      '{ "retry": { "initial_delay": 1e309, "max_delay": -2E400, "budget": { "max_tokens": 1e999 } },' +
        ' "health_check": { "timeout": "1e309" }, "queue": { "lease": 10 } }',
    );
    const message = configError(() => loadConfig(path, {}));
    expect(message).toContain('retry.initial_delay = 1e309: too large');
    expect(message).toContain('retry.max_delay = -2E400: too small');
    expect(message).toContain('retry.budget.max_tokens = 1e999: too large');
    // a string is a string, whatever it holds
    expect(message).toContain('health_check.timeout = "1e309": expected a timeout in seconds');
    expect(message).not.toContain('null');
  });

  it('reports JSON errors on the text as written, huge numbers and all', () => {
    const path = configFile('broken.json', '{ "tts_fallback": "x\\" 1e309", "retry": 1e309, }');
    const message = configError(() => loadConfig(path, {}));
    expect(message).toMatch(/^config file .*broken\.json is not valid JSON: .*position 47/);
    expect(message).not.toContain('json-number');
  });

  it('reports a non-finite number given in code by its value', () => {
    const message = configError(() =>
      parseConfig({ retry: { initial_delay: Infinity, backoff_factor: NaN } }),
    );
    expect(message).toContain('retry.initial_delay = Infinity: too large');
    expect(message).toContain('retry.backoff_factor = NaN: expected a number ≥ 1');
  });

  it('caps the notes sent to the LLM at 2,000 characters unless llm.max_notes_chars says otherwise', () => {
    expect(parseConfig({}).llm.max_notes_chars).toBe(2_000);
    expect(parseConfig({ llm: { max_notes_chars: 0 } }).llm.max_notes_chars).toBe(0);
    expect(configError(() => parseConfig({ llm: { max_notes_chars: 1.5 } }))).toContain(
      'llm.max_notes_chars = 1.5: expected a whole number ≥ 0',
    );
  });

  it('reads numbers without a country code as US unless contacts.default_region says otherwise', () => {
    expect(parseConfig({}).contacts.default_region).toBe('US');
    expect(parseConfig({ contacts: { default_region: 'GB' } }).contacts.default_region).toBe('GB');
    expect(parseConfig({ contacts: { default_region: 'de' } }).contacts.default_region).toBe('DE');
    for (const bad of ['XX', 'USA', '']) {
      expect(configError(() => parseConfig({ contacts: { default_region: bad } }))).toContain(
        `contacts.default_region = "${bad}": expected a region code such as "US", "GB" or "DE"`,
      );
    }
  });

  it('reads the file CALL_AGENT_CONFIG names, unless a path is given', () => {
    const named = configFile('named.json', JSON.stringify({ retry: { max_retries: 7 } }));
    const given = configFile('given.json', JSON.stringify({ retry: { max_retries: 1 } }));
    expect(loadConfig(undefined, { CALL_AGENT_CONFIG: named }).retry.max_retries).toBe(7);
    expect(loadConfig(given, { CALL_AGENT_CONFIG: named }).retry.max_retries).toBe(1);
    const missing = join(dir, 'missing.json');
    expect(configError(() => loadConfig(undefined, { CALL_AGENT_CONFIG: missing }))).toContain(
      `cannot read config file ${missing} (CALL_AGENT_CONFIG)`,
    );
  });
});
