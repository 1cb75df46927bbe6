import { describe, expect, it } from 'vitest';
import type { CallFailedEvent, StateChangedEvent } from '../resilience/index.ts';
import { toLogRecord } from './log-line.ts';

const at = Date.UTC(2026, 0, 29, 18, 17, 19);
const error = {
  errorClass: 'transient' as const,
  code: 'E_TRANSIENT',
  name: 'TransientServiceError',
  message: '503 Service Unavailable',
};

describe('toLogRecord', () => {
  it('maps a failed call after 3 retries to the seed line', () => {
    const event: CallFailedEvent = {
      service: 'ElevenLabs',
      timestamp: at,
      circuitState: 'CLOSED',
      context: { contactId: 'Contact-7' },
      retryCount: 3,
      durationMs: 35_000,
      error,
      gaveUp: 'retries_exhausted',
    };
    expect(toLogRecord({ type: 'call_failed', event }, () => 'e1')).toEqual({
      timestamp: '2026-01-29T18:17:19.000Z',
      level: 'ERROR',
      service: 'ElevenLabs',
      message: '503 Service Unavailable',
      retry_count: 3,
      circuit_state: 'CLOSED',
      event: 'call_failed',
      contact_id: 'Contact-7',
      error_type: 'transient',
      event_id: 'e1',
    });
  });

  it('logs a cancelled call as WARNING and a permanent/request failure as ERROR', () => {
    const base: CallFailedEvent = {
      service: 'Twilio',
      timestamp: at,
      circuitState: 'CLOSED',
      context: {},
      retryCount: 0,
      durationMs: 1,
      error,
      gaveUp: 'aborted',
    };
    expect(toLogRecord({ type: 'call_failed', event: base }).level).toBe('WARNING');
    const bad = {
      ...base,
      gaveUp: 'not_retryable' as const,
      error: { ...error, errorClass: 'permanent/request' as const },
    };
    expect(toLogRecord({ type: 'call_failed', event: bad }).level).toBe('ERROR');
  });

  it('maps state changes: OPEN is ERROR, closing is INFO', () => {
    const opened: StateChangedEvent = {
      service: 'HubSpot',
      timestamp: at,
      from: 'CLOSED',
      to: 'OPEN',
      reason: 'failure_threshold',
      error,
    };
    const line = toLogRecord({ type: 'state_changed', event: opened });
    expect(line).toMatchObject({
      level: 'ERROR',
      circuit_state: 'OPEN',
      retry_count: null,
      message: 'Circuit CLOSED → OPEN (failure_threshold): 503 Service Unavailable',
    });
    const closed = {
      ...opened,
      from: 'HALF_OPEN' as const,
      to: 'CLOSED' as const,
      reason: 'probe_succeeded' as const,
      error: undefined,
    };
    expect(toLogRecord({ type: 'state_changed', event: closed }).level).toBe('INFO');
  });

  it('maps agent events with their contact id', () => {
    const line = toLogRecord({
      type: 'agent',
      event: {
        type: 'contact_deferred',
        contactId: 'Contact-9',
        service: 'ElevenLabs',
        message: 'TTS down: deferred for 60 s',
        timestamp: at,
      },
    });
    expect(line).toMatchObject({
      level: 'WARNING',
      event: 'contact_deferred',
      contact_id: 'Contact-9',
      retry_count: null,
      circuit_state: null,
    });
  });

  it('reads as English: one period between sentences, a delay under a second in ms', () => {
    const retry = (message: string, delayMs: number) =>
      toLogRecord({
        type: 'retry_scheduled',
        event: {
          service: 'Twilio',
          timestamp: at,
          circuitState: 'CLOSED',
          context: {},
          retryCount: 2,
          delayMs,
          error: { ...error, message },
        },
      }).message;
    expect(retry('Too many requests, try again later.', 40)).toBe(
      'Too many requests, try again later. Retry 2 in 40 ms.',
    );
    expect(retry('503 Service Unavailable', 0)).toBe('503 Service Unavailable. Retry 2 in 0 ms.');
    expect(retry('Is it down?', 1500)).toBe('Is it down? Retry 2 in 1.5 s.');
    expect(retry('503 Service Unavailable', 2000)).toBe('503 Service Unavailable. Retry 2 in 2 s.');
  });

  it("tells a call the agent stopped (interrupted, max duration) as the agent's, not the service's", () => {
    const stopped = toLogRecord({
      type: 'call_failed',
      event: {
        service: 'ElevenLabs',
        timestamp: at,
        circuitState: 'CLOSED',
        context: { contactId: 'c1' },
        retryCount: 0,
        durationMs: 5,
        error: { ...error, message: 'max duration reached' },
        gaveUp: 'aborted',
      },
    });
    expect(stopped).toMatchObject({
      level: 'WARNING',
      service: 'Agent',
      message: 'Stopped the ElevenLabs call of c1: max duration reached',
      event: 'call_stopped',
      contact_id: 'c1',
    });
    expect(stopped.error_type).toBeUndefined();
  });

  it('gives every line a distinct event_id by default', () => {
    const event = {
      service: 'OpenAI',
      timestamp: at,
      circuitState: 'CLOSED' as const,
      context: {},
      retryCount: 0,
      durationMs: 1,
    };
    const a = toLogRecord({ type: 'call_succeeded', event });
    const b = toLogRecord({ type: 'call_succeeded', event });
    expect(a.event_id).not.toBe(b.event_id);
    expect(a.message).toBe('Call successful');
  });

  it('says when a passing health check leaves the circuit open (a trial call or a person decides)', () => {
    const probe = (circuitState: 'OPEN' | 'CLOSED') =>
      toLogRecord(
        {
          type: 'health_probe',
          event: {
            service: 'ElevenLabs',
            timestamp: at,
            healthy: true,
            durationMs: 12,
            consecutiveFailures: 0,
            circuitState,
          },
        },
        () => 'e1',
      ).message;
    expect(probe('OPEN')).toBe('Health check passed in 12 ms; the circuit stays OPEN');
    expect(probe('CLOSED')).toBe('Health check passed in 12 ms');
  });
});
