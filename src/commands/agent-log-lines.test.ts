import { describe, expect, it } from 'vitest';
import { toLoggedEvent } from './agent-log-lines.ts';

const timestamp = Date.UTC(2026, 0, 29, 18, 17, 19);

describe('the log lines of agent events', () => {
  it('name the service once: in its column, not again at the head of the message', () => {
    const failed = toLoggedEvent({
      type: 'contact_failed',
      contactId: 'c1',
      service: 'Twilio',
      reason: 'Twilio: 400 20400: Bad Request',
      timestamp,
    });
    expect(failed).toMatchObject({
      service: 'Twilio',
      message: 'Contact c1 failed: 400 20400: Bad Request',
    });
    const deferred = toLoggedEvent({
      type: 'contact_deferred',
      contactId: 'c2',
      service: 'ElevenLabs',
      notBefore: timestamp + 1000,
      reason: 'ElevenLabs: 503 Service Unavailable',
      countsAsFailure: true,
      untilReleased: false,
      timestamp,
    });
    expect(deferred?.message).toBe(
      'Contact c2 deferred until 2026-01-29T18:17:20.000Z: 503 Service Unavailable',
    );
    const agents = toLoggedEvent({
      type: 'contact_failed',
      contactId: 'c3',
      service: undefined,
      reason: 'failed 5 attempts',
      timestamp,
    });
    expect(agents).toMatchObject({
      service: 'Agent',
      message: 'Contact c3 failed: failed 5 attempts',
    });
  });

  it('count in English: 1 contact, 2 contacts', () => {
    const reclaimed = (contacts: number) =>
      toLoggedEvent({ type: 'leases_reclaimed', contacts, pid: 42, timestamp })?.message;
    expect(reclaimed(1)).toBe('Reclaimed 1 contact held by pid 42, which no longer runs');
    expect(reclaimed(3)).toBe('Reclaimed 3 contacts held by pid 42, which no longer runs');
    const waiting = toLoggedEvent({
      type: 'contacts_waiting',
      service: 'ElevenLabs',
      state: 'OPEN',
      contacts: 1,
      why: undefined,
      nextAttemptAt: timestamp + 5000,
      timestamp,
    });
    expect(waiting?.message).toBe(
      'ElevenLabs circuit OPEN: 1 contact waiting, next trial 18:17:24',
    );
  });

  it('says what the waiting contacts wait for in each state of the circuit', () => {
    const waiting = (state: 'OPEN' | 'HALF_OPEN' | 'CLOSED') =>
      toLoggedEvent({
        type: 'contacts_waiting',
        service: 'Twilio',
        state,
        contacts: 2,
        why: undefined,
        nextAttemptAt: timestamp + 5000,
        timestamp,
      })?.message;
    expect(waiting('OPEN')).toBe('Twilio circuit OPEN: 2 contacts waiting, next trial 18:17:24');
    expect(waiting('HALF_OPEN')).toBe(
      'Twilio circuit HALF_OPEN: 2 contacts waiting, a trial under way',
    );
    expect(waiting('CLOSED')).toBe('Twilio circuit CLOSED: 2 contacts waiting, being let back in');
  });
});
