import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../agent/agent-events.ts';
import { SqliteCallQueue } from '../queue/index.ts';
import { createOutput } from '../redaction/output.ts';
import { coloured, plainText } from '../redaction/printable.ts';
import { EventEmitter } from '../resilience/events.ts';
import {
  PermanentServiceError,
  VirtualClock,
  createServicePolicy,
  type ServicePolicy,
} from '../resilience/index.ts';
import { ProgressCounter } from './progress-counter.ts';
import { formatProgress, startProgressLine } from './progress-line.ts';

const CLEAR = '\r\u001b[2K';
const noContacts = { pending: 0, in_progress: 0, deferred: 0, completed: 0, failed: 0 };

describe('formatProgress', () => {
  it('tells done/total, deferred, failed, the rate, the time left and each circuit not closed', () => {
    const line = formatProgress(
      { total: 1_200, done: 200, deferred: 31, failed: 4, perMinute: 100 },
      [
        { service: 'ElevenLabs', state: 'OPEN' },
        { service: 'Twilio', state: 'HALF_OPEN' },
      ],
    );
    expect(plainText(line)).toBe(
      '200/1,200 done, 31 deferred, 4 failed, 100 calls/min, about 10 min left; ElevenLabs OPEN, Twilio HALF_OPEN',
    );
    expect(line.filter((part) => typeof part !== 'string')).toEqual([
      coloured('OPEN', 'red'),
      coloured('HALF_OPEN', 'yellow'),
    ]);
  });

  it('tells no rate in the first seconds, and no time left while nothing finishes or when all is done', () => {
    const counts = { total: 40, done: 0, deferred: 0, failed: 0 };
    expect(plainText(formatProgress({ ...counts, perMinute: undefined }, []))).toBe(
      '0/40 done, 0 deferred, 0 failed',
    );
    expect(plainText(formatProgress({ ...counts, perMinute: 0 }, []))).toBe(
      '0/40 done, 0 deferred, 0 failed, 0 calls/min, time left unknown',
    );
    expect(plainText(formatProgress({ ...counts, done: 40, perMinute: 12.4 }, []))).toBe(
      '40/40 done, 0 deferred, 0 failed, 12 calls/min',
    );
  });
});

const completed = (contactId: string, timestamp: number): AgentEvent => ({
  type: 'contact_completed',
  timestamp,
  contactId,
  callSid: 'CA1',
  degraded: false,
});
const failed = (contactId: string, timestamp: number): AgentEvent => ({
  type: 'contact_failed',
  timestamp,
  contactId,
  service: 'Twilio',
  reason: 'invalid number',
});
const deferred = (contactId: string, timestamp: number): AgentEvent => ({
  type: 'contact_deferred',
  timestamp,
  contactId,
  service: 'ElevenLabs',
  reason: '503',
  notBefore: timestamp,
  countsAsFailure: false,
  untilReleased: true,
});

describe('ProgressCounter', () => {
  it('counts from the queue at the start and the events since', () => {
    const counter = new ProgressCounter({
      start: { ...noContacts, pending: 5, deferred: 1, completed: 2, failed: 1 },
      deferredIds: ['d-1'],
      now: 0,
    });
    counter.note(deferred('p-1', 1_000));
    counter.note(completed('d-1', 2_000)); // deferred at the start, done now
    counter.note(failed('p-2', 3_000));
    expect(counter.counts(3_000)).toEqual({
      total: 9,
      done: 5,
      failed: 2,
      deferred: 1,
      perMinute: undefined, // 3 s in: too soon to tell
    });
    counter.note(completed('p-1', 5_000)); // deferred in this run, done now
    expect(counter.counts(6_000)).toMatchObject({ done: 6, deferred: 0, perMinute: 30 });
  });

  it('takes the rate over the last minute', () => {
    const counter = new ProgressCounter({ start: noContacts, deferredIds: [], now: 0 });
    for (let i = 0; i < 100; i++) counter.note(completed(`c-${i}`, i * 100)); // 100 in 10 s
    counter.note(completed('late', 65_000));
    expect(counter.counts(10_000).perMinute).toBe(606); // 101 in the first 10 s
    expect(counter.counts(70_000).perMinute).toBe(1); // the first 100 are over a minute old
  });
});

describe('startProgressLine', () => {
  const queues: SqliteCallQueue[] = [];
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.close();
  });

  async function setUp(isTTY: boolean) {
    const clock = new VirtualClock(0);
    const queue = new SqliteCallQueue({ path: ':memory:', clock });
    queues.push(queue);
    await queue.enqueue(
      ['a', 'b', 'c', 'd'].map((id, i) => ({ id, name: id, phone: `+1415555010${i}` })),
    );
    const claimed = await queue.claim('w', 30_000);
    await queue.defer(claimed!.contact.id, claimed!.leaseToken, {
      notBefore: 0,
      reason: '503',
      countsAsFailure: false,
    });
    const elevenlabs = createServicePolicy(
      'ElevenLabs',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2, budget: false },
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 10 },
      },
      { clock },
    );
    const policies = new Map<string, ServicePolicy>([['ElevenLabs', elevenlabs]]);
    const events = new EventEmitter<AgentEvent>();
    let text = '';
    const stderr = { isTTY, write: (chunk: string) => void (text += chunk) };
    const output = createOutput({ stdout: stderr, stderr, env: { NO_COLOR: '1' } });
    const hide = await startProgressLine({ campaign: { clock, events, policies }, queue, output });
    return { clock, events, elevenlabs, output, hide, printed: () => text };
  }

  it('draws the line at once, then at most every 250 ms of clock time, and takes it away', async () => {
    const { clock, events, elevenlabs, hide, printed } = await setUp(true);
    await clock.advance(0);
    expect(printed()).toBe(`${CLEAR}0/4 done, 1 deferred, 0 failed`);
    events.emit(completed('a', clock.now())); // the one deferred at the start
    await elevenlabs
      .execute(async () => {
        throw new PermanentServiceError('401 invalid_api_key', {
          service: 'ElevenLabs',
          scope: 'service',
        });
      })
      .catch(() => undefined);
    await clock.advance(249);
    expect(printed()).toBe(`${CLEAR}0/4 done, 1 deferred, 0 failed`);
    await clock.advance(1);
    expect(printed()).toBe(
      `${CLEAR}0/4 done, 1 deferred, 0 failed${CLEAR}1/4 done, 0 deferred, 0 failed; ElevenLabs OPEN`,
    );
    hide();
    hide();
    await clock.advance(1_000);
    expect(printed()).toBe(
      `${CLEAR}0/4 done, 1 deferred, 0 failed${CLEAR}1/4 done, 0 deferred, 0 failed; ElevenLabs OPEN${CLEAR}`,
    );
  });

  it('prints nothing when stderr is not a terminal', async () => {
    const { clock, events, hide, printed } = await setUp(false);
    events.emit(completed('a', clock.now()));
    await clock.advance(1_000);
    hide();
    expect(printed()).toBe('');
  });
});
