import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SqliteCallQueue, type CallQueue } from '../queue/index.ts';
import { VirtualClock } from '../resilience/index.ts';
import { readQueueStatus, statusJson } from './status.ts';
import { formatStatus } from './status-format.ts';

const T0 = Date.parse('2026-05-01T12:00:00Z');

function contact(n: number) {
  return { id: `c${n}`, name: `Contact ${n}`, phone: `+1415555${String(n).padStart(4, '0')}` };
}

/** Claims the next contact and defers it. */
async function defer(
  queue: CallQueue,
  options: { reason: string; service?: string; untilReleased?: boolean; inMs?: number },
  clock: VirtualClock,
): Promise<void> {
  const claimed = await queue.claim('w', 60_000);
  if (!claimed) throw new Error('nothing due');
  await queue.defer(claimed.contact.id, claimed.leaseToken, {
    notBefore: clock.now() + (options.inMs ?? 0),
    reason: options.reason,
    service: options.service,
    untilReleased: options.untilReleased,
    countsAsFailure: false,
  });
}

describe('call-agent status', () => {
  it('tells why contacts wait, by service and reason, and when the next is due', async () => {
    const clock = new VirtualClock(T0);
    const queue = new SqliteCallQueue({ clock, path: ':memory:' });
    await queue.enqueue([1, 2, 3, 4, 5, 6].map(contact));
    const open = { reason: 'ElevenLabs circuit OPEN', service: 'ElevenLabs', untilReleased: true };
    await defer(queue, open, clock);
    await defer(queue, open, clock);
    await defer(queue, { reason: 'ElevenLabs: 503', service: 'ElevenLabs', inMs: 90_000 }, clock);
    await defer(queue, { reason: 'Twilio: too busy', service: 'Twilio', inMs: 4_000 }, clock);
    await defer(queue, { reason: 'stopped before the contact finished' }, clock);
    await queue.addToOutbox('c1', { record: 1 });

    const status = await readQueueStatus(queue, 'q.db', clock);
    expect(status.nextDeferredAt).toBe(T0);
    expect(status.waiting).toEqual([
      {
        service: undefined,
        contacts: 1,
        untilReleased: 0,
        nextDueAt: T0,
        reasons: [{ reason: 'stopped before the contact finished', contacts: 1 }],
      },
      {
        service: 'Twilio',
        contacts: 1,
        untilReleased: 0,
        nextDueAt: T0 + 4_000,
        reasons: [{ reason: 'Twilio: too busy', contacts: 1 }],
      },
      {
        service: 'ElevenLabs',
        contacts: 3,
        untilReleased: 2,
        nextDueAt: T0 + 90_000,
        reasons: [
          { reason: 'ElevenLabs circuit OPEN', contacts: 2 },
          { reason: 'ElevenLabs: 503', contacts: 1 },
        ],
      },
    ]);
    expect(formatStatus(status)).toBe(
      [
        'queue q.db: 6 contacts',
        '  pending      1',
        '  in progress  0',
        '  deferred     5',
        '  completed    0',
        '  failed       0',
        'CRM outbox: 1 record to replay',
        'next deferred contact due 2026-05-01T12:00:00Z (due now)',
        '',
        'why contacts wait:',
        '  no service in particular: 1 contact: 1 due from 2026-05-01T12:00:00Z (due now)',
        '        1  stopped before the contact finished',
        '  Twilio: 1 contact: 1 due from 2026-05-01T12:00:04Z (in 4 s)',
        '        1  Twilio: too busy',
        '  ElevenLabs: 3 contacts: 2 until ElevenLabs takes calls again, 1 due from 2026-05-01T12:01:30Z (in 90 s)',
        '        2  ElevenLabs circuit OPEN',
        '        1  ElevenLabs: 503',
      ].join('\n'),
    );
    expect(statusJson(status)).toMatchObject({
      contacts: { total: 6, pending: 1, deferred: 5 },
      crm_outbox: 1,
      next_deferred_due_at: '2026-05-01T12:00:00.000Z',
      waiting: [
        { service: null, until_service_takes_calls: 0 },
        { service: 'Twilio', next_due_at: '2026-05-01T12:00:04.000Z' },
        { service: 'ElevenLabs', contacts: 3, until_service_takes_calls: 2 },
      ],
    });
    await queue.close();
  });

  it('names who holds the contacts in progress, and whether that process still runs', async () => {
    const clock = new VirtualClock(T0);
    const dead = { host: hostname(), pid: 4_194_000, started: 'ms:1' };
    const elsewhere = { host: 'another-host', pid: 7, started: 'ms:1' };
    const path = ':memory:';
    const queue = new SqliteCallQueue({ clock, path, holder: dead });
    await queue.enqueue([contact(1)]);
    await queue.claim('w', 30_000);
    const status = await readQueueStatus(queue, path, clock);
    expect(status.leases).toEqual([
      { holder: dead, contacts: 1, expiresAt: T0 + 30_000, running: false },
    ]);
    expect(formatStatus(status)).toContain(
      `held now:\n  1 contact by pid 4194000 on ${hostname()} (no longer runs: the next run takes them back at once), lease until 2026-05-01T12:00:30Z (in 30 s)`,
    );
    // on a fleet, a worker of the dead process's host takes its contacts back
    expect(formatStatus({ ...status, workers: { alive: 2, heardWithinMs: 10_000 } })).toContain(
      `(no longer runs: a worker on ${hostname()} takes them back at once, any other when the lease runs out)`,
    );
    expect(formatStatus({ ...status, workers: { alive: 2, heardWithinMs: 10_000 } })).toContain(
      'fleet: 2 workers alive (heard from in the last 10 s)',
    );
    const other = new SqliteCallQueue({ clock, path, holder: elsewhere });
    await other.enqueue([contact(2)]);
    await other.claim('w', 30_000);
    expect((await readQueueStatus(other, path, clock)).leases[0]).toMatchObject({
      running: undefined,
    });
    expect(formatStatus(await readQueueStatus(other, path, clock))).toContain(
      '1 contact by pid 7 on another-host, lease until',
    );
    await Promise.all([queue.close(), other.close()]);
  });
});
