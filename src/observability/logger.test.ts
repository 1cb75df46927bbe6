import { describe, expect, it } from 'vitest';
import {
  HealthChecker,
  PermanentServiceError,
  TransientServiceError,
  VirtualClock,
  createServicePolicy,
} from '../resilience/index.ts';
import { createOutput } from '../redaction/output.ts';
import { attachLogging } from './attach-logging.ts';
import { createLogger } from './logger.ts';
import { LOG_LEVELS, type LogRecord } from './log-record.ts';

function memoryStream(): { lines: string[]; write(chunk: string): void } {
  const lines: string[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(line);
    },
  };
}

function seedPolicy(clock: VirtualClock) {
  return createServicePolicy(
    'ElevenLabs',
    {
      retry: { max_retries: 3, initial_delay: 5, backoff_factor: 2, jitter: 'none', budget: false },
      circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
    },
    { clock },
  );
}

async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<void> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await clock.runUntil(() => done);
}

const unavailable = () =>
  new TransientServiceError('503 Service Unavailable', { service: 'ElevenLabs', status: 503 });

const seedFields = (r: Partial<LogRecord>) => ({
  level: r.level,
  service: r.service,
  message: r.message,
  retry_count: r.retry_count,
  circuit_state: r.circuit_state,
});

describe('createLogger (json)', () => {
  it("writes the seed's three example lines, field for field, from a real policy", async () => {
    const clock = new VirtualClock();
    const out = memoryStream();
    let n = 0;
    const logger = createLogger({ destination: out, clock, newId: () => `id-${++n}` });
    const policy = seedPolicy(clock);
    attachLogging(policy, logger);
    const failing = () => Promise.reject(unavailable());

    await settle(clock, policy.execute(failing, { context: { contactId: 'Contact-1' } }));
    await settle(clock, policy.execute(failing, { context: { contactId: 'Contact-2' } }));
    await settle(clock, policy.execute(failing, { context: { contactId: 'Contact-3' } }));
    await clock.advance(10_000);
    await settle(
      clock,
      policy.execute(async () => 'probe'),
    );
    let attempts = 0;
    await settle(
      clock,
      policy.execute(async () => (++attempts === 1 ? Promise.reject(unavailable()) : 'ok'), {
        context: { contactId: 'Contact-1' },
      }),
    );

    const records = out.lines.map((line) => JSON.parse(line) as LogRecord);
    const failed = records.filter((r) => r.event === 'call_failed');
    const rejected = records.find((r) => r.event === 'call_rejected');
    const succeeded = records.filter((r) => r.event === 'call_succeeded');

    expect(seedFields(failed[0]!)).toEqual({
      level: 'ERROR',
      service: 'ElevenLabs',
      message: '503 Service Unavailable',
      retry_count: 3,
      circuit_state: 'CLOSED',
    });
    expect(seedFields(rejected!)).toEqual({
      level: 'WARNING',
      service: 'ElevenLabs',
      message: 'Circuit OPEN. Skipping call.',
      retry_count: null,
      circuit_state: 'OPEN',
    });
    expect(seedFields(succeeded[1]!)).toEqual({
      level: 'INFO',
      service: 'ElevenLabs',
      message: 'Call successful for Contact-1',
      retry_count: 1,
      circuit_state: 'CLOSED',
    });
    // Exactly the documented keys, in one JSON object per line, timestamps from the clock.
    expect(Object.keys(failed[0]!).sort()).toEqual(
      [
        'circuit_state',
        'contact_id',
        'error_type',
        'event',
        'event_id',
        'level',
        'message',
        'retry_count',
        'service',
        'timestamp',
      ].sort(),
    );
    expect(failed[0]!.timestamp).toBe(new Date(Date.UTC(2026, 0, 29, 18, 17, 35)).toISOString());
    expect(failed[0]!.contact_id).toBe('Contact-1');
    expect(failed[0]!.error_type).toBe('transient');
    expect(new Set(records.map((r) => r.event_id)).size).toBe(records.length);
    // The second failed call opened the breaker: an ERROR state-change line.
    const opened = records.find(
      (r) => r.event === 'circuit_state_changed' && r.circuit_state === 'OPEN',
    );
    expect(opened?.level).toBe('ERROR');
    expect(
      records.filter((r) => r.event === 'retry_scheduled').every((r) => r.level === 'WARNING'),
    ).toBe(true);
  });

  it('logs a permanent/service failure as CRITICAL', async () => {
    const clock = new VirtualClock();
    const out = memoryStream();
    const logger = createLogger({ destination: out, clock });
    const policy = seedPolicy(clock);
    attachLogging(policy, logger);
    await settle(
      clock,
      policy.execute(() =>
        Promise.reject(
          new PermanentServiceError('401 invalid_api_key', {
            service: 'ElevenLabs',
            scope: 'service',
          }),
        ),
      ),
    );
    const failed = out.lines
      .map((l) => JSON.parse(l) as LogRecord)
      .find((r) => r.event === 'call_failed');
    expect(failed?.level).toBe('CRITICAL');
    expect(failed?.error_type).toBe('permanent/service');
  });

  it('never lets a secret or a full phone number reach a line or a sink', () => {
    const out = memoryStream();
    const seen: LogRecord[] = [];
    const logger = createLogger({
      destination: out,
      clock: new VirtualClock(),
      secrets: ['xi-0123456789abcdef', 'AC-twilio-auth-token-42'],
      sinks: [{ write: (r) => seen.push(r) }],
    });
    logger.log('ERROR', 'POST failed for +14155550123 with key xi-0123456789abcdef', {
      service: 'ElevenLabs',
      contact_id: '+14155550123',
    });
    logger.log(
      'ERROR',
      'twilio said: auth AC-twilio-auth-token-42; Authorization: Bearer abc.def.ghi',
      {
        service: 'Twilio',
      },
    );
    const text = out.lines.join('\n') + JSON.stringify(seen);
    expect(text).not.toContain('xi-0123456789abcdef');
    expect(text).not.toContain('AC-twilio-auth-token-42');
    expect(text).not.toContain('abc.def.ghi');
    expect(text).not.toContain('14155550123');
    expect(text).toContain('+1415***0123');
    expect(seen).toHaveLength(2);
    expect(seen[0]!.contact_id).toBe('+1415***0123');
  });

  it('drops lines below the minimum level', () => {
    const out = memoryStream();
    const logger = createLogger({ destination: out, clock: new VirtualClock(), level: 'WARNING' });
    logger.log('INFO', 'quiet');
    logger.log('CRITICAL', 'loud');
    expect(out.lines.map((l) => (JSON.parse(l) as LogRecord).message)).toEqual(['loud']);
    expect((JSON.parse(out.lines[0]!) as LogRecord).level).toBe('CRITICAL');
  });

  it('prints from printLevel up, and hands the sinks every line from level up', () => {
    const out = memoryStream();
    const sunk: LogRecord[] = [];
    const logger = createLogger({
      destination: out,
      clock: new VirtualClock(),
      printLevel: 'ERROR',
      sinks: [{ write: (record) => sunk.push(record) }],
    });
    for (const level of LOG_LEVELS) logger.log(level, `a ${level} line`);
    const printed = out.lines.map((l) => (JSON.parse(l) as LogRecord).level);
    expect(printed).toEqual(['ERROR', 'CRITICAL']);
    expect(sunk.map((record) => record.level)).toEqual(['INFO', 'WARNING', 'ERROR', 'CRITICAL']);
  });

  it('keeps writing when a sink throws', () => {
    const out = memoryStream();
    const logger = createLogger({
      destination: out,
      sinks: [
        {
          write: () => {
            throw new Error('sink down');
          },
        },
      ],
    });
    expect(() => logger.log('INFO', 'still here')).not.toThrow();
    expect(out.lines).toHaveLength(1);
  });
});

describe('a bug in the agent', () => {
  it('is logged with its stack once, however often it recurs, and never retried', async () => {
    const clock = new VirtualClock();
    const out = memoryStream();
    const logger = createLogger({ destination: out, clock });
    const policy = seedPolicy(clock);
    attachLogging(policy, logger);
    let calls = 0;
    const buggy = async (): Promise<string> => {
      calls++;
      const contact = undefined as unknown as { name: string };
      return contact.name; // TypeError
    };
    for (const id of ['Contact-1', 'Contact-2', 'Contact-3']) {
      await settle(clock, policy.execute(buggy, { context: { contactId: id } }));
    }
    const records = out.lines.map((line) => JSON.parse(line) as LogRecord);
    expect(calls).toBe(3);
    expect(records.filter((r) => r.event === 'retry_scheduled')).toEqual([]);
    expect(records.filter((r) => r.event === 'call_failed')).toHaveLength(3);
    const bugs = records.filter((r) => r.event === 'programming_error');
    expect(bugs).toHaveLength(1);
    expect(bugs[0]).toMatchObject({ level: 'ERROR', service: 'ElevenLabs' });
    expect(bugs[0]!.message).toMatch(/^A bug in the agent, not a failure of ElevenLabs/);
    expect(bugs[0]!.message).toContain('TypeError');
    expect(bugs[0]!.message).toContain('logger.test.ts');
    expect(policy.state).toBe('CLOSED');
  });
});

describe('createLogger (pretty)', () => {
  it('writes one readable line per record', () => {
    const out = memoryStream();
    const logger = createLogger({ format: 'pretty', destination: out, clock: new VirtualClock() });
    logger.log('ERROR', '503 Service Unavailable', { service: 'ElevenLabs', retry_count: 3 });
    expect(out.lines).toEqual([
      '2026-01-29T18:17:00.000Z ERROR    ElevenLabs  503 Service Unavailable  retry_count=3',
    ]);
  });
});

describe("createLogger (pretty, to the program's writer)", () => {
  it('colours the level and the circuit state on a terminal', () => {
    let printed = '';
    const terminal = { isTTY: true, write: (chunk: string) => void (printed += chunk) };
    const output = createOutput({ stdout: terminal, stderr: terminal, env: {} });
    const logger = createLogger({
      format: 'pretty',
      destination: output.stdout,
      clock: new VirtualClock(),
    });
    logger.write({
      timestamp: '2026-01-29T18:17:25.000Z',
      level: 'WARNING',
      service: 'ElevenLabs',
      message: 'Circuit OPEN. Skipping call.',
      retry_count: null,
      circuit_state: 'OPEN',
      event: 'call_rejected',
      event_id: 'e-1',
    });
    expect(printed).toBe(
      '2026-01-29T18:17:25.000Z \u001b[33mWARNING\u001b[39m  ElevenLabs  Circuit OPEN. Skipping call.  circuit=\u001b[31mOPEN\u001b[39m\n',
    );
  });
});

describe('attachLogging (health checker)', () => {
  it('logs failed probes and the recovery, not every healthy probe', async () => {
    const clock = new VirtualClock();
    const out = memoryStream();
    const logger = createLogger({ destination: out, clock });
    const checker = new HealthChecker({ interval: 5 }, { clock });
    let up = true;
    checker.register('Twilio', async () => {
      if (!up) throw new TransientServiceError('503 Service Unavailable', { service: 'Twilio' });
    });
    const dispose = attachLogging(checker, logger);
    checker.start();
    await clock.advance(10_000); // two healthy probes: nothing logged
    up = false;
    await clock.advance(10_000); // two failed probes
    up = true;
    await clock.advance(10_000); // recovery, then one more healthy probe
    await checker.stop();
    dispose();
    const records = out.lines.map((l) => JSON.parse(l) as LogRecord);
    expect(records.map((r) => [r.level, r.event])).toEqual([
      ['WARNING', 'health_probe'],
      ['WARNING', 'health_probe'],
      ['INFO', 'health_probe'],
    ]);
    expect(records[1]!.message).toBe('Health check failed (2 in a row): 503 Service Unavailable');
  });
});

describe('control characters in a line', () => {
  const hostile = 'a\n2026-01-01T00:00:00.000Z CRITICAL forged \u001b[31m \u0085 \u2028 \u202e';

  it('a JSON line stays one line that a line splitter cannot break, and parses to the same id', () => {
    const out = memoryStream();
    const chunks: string[] = [];
    const logger = createLogger({
      destination: { write: (chunk: string) => (chunks.push(chunk), out.write(chunk)) },
    });
    logger.log('INFO', `Call successful for ${hostile}`, { contact_id: hostile });
    expect(chunks).toHaveLength(1);
    // No C0/C1 control character, line or paragraph separator or bidi override is raw
    // (Python's splitlines() breaks on U+0085 and U+2028; a terminal obeys U+202E).
    expect(chunks[0]!.trimEnd()).not.toMatch(
      // eslint-disable-next-line no-control-regex -- looking for raw control characters
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/,
    );
    expect((JSON.parse(chunks[0]!) as LogRecord).contact_id).toBe(hostile);
  });

  it('a pretty line stays one line with every control character escaped', () => {
    const chunks: string[] = [];
    const logger = createLogger({
      format: 'pretty',
      destination: { write: (chunk: string) => void chunks.push(chunk) },
    });
    logger.log('INFO', 'Call successful', { contact_id: hostile });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.trimEnd()).not.toMatch(
      // eslint-disable-next-line no-control-regex -- looking for raw control characters
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/,
    );
    expect(chunks[0]).toContain('contact=a\\n2026-01-01T00:00:00.000Z CRITICAL forged \\x1b[31m');
  });
});
